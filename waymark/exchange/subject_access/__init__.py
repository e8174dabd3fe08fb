"""Subject access requests: log a request and its deadline, gather everything held about the
pupil from the personal-data register, withhold what belongs to other people, and release the
rest as readable PDFs and data in one ZIP.

- ``requests``: logging, extending and closing a request (the deadline rules live here);
- ``gather``: everything held, one section per register entry, as readable label/value pairs;
- ``redaction``: what is flagged for review, what is withheld by default, and the services that
  withhold or put back an item or one field of it;
- ``release``: the ZIP (PDF, the stored documents, data.json and a CSV per section, a README).
"""
