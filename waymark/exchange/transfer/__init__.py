"""Transfer packages: a pupil's record sent from one school to the next (docs/transfer-package.md).

- ``format``: the version, the ZIP's member names and the published JSON Schema;
- ``document`` (with ``document_plans``): the package's JSON for one pupil, built from the
  personal-data register;
- ``package``: the ZIP with the plan PDFs and files, sealed, and the export service;
- ``envelope``: AES-256-GCM with a key from scrypt, in a small binary envelope;
- ``reader`` (with ``schema_errors``): opening a package someone sent, as untrusted input;
- ``intake``: matching the pupil and working out what receiving would do (the preview);
- ``receive``: checking, confirming and receiving, all or nothing;
- ``presenting``: the received record as its page shows it;
- ``passphrase``: the passphrase rules and a suggestion.
"""
