"""Common Transfer File (CTF) import: parse, check, preview, then commit all at once.

- ``parsing``: untrusted XML to plain dictionaries (defusedxml only, no DTDs, no entities).
- ``validation``: each pupil checked and turned into clean values (UPN, names, dates, codes).
- ``preview``: what importing would create, update and skip, against this school's records.
- ``commit``: the plan applied through the pupil services in one transaction.
- ``history``: the services that add closed SEN history (statuses and needs) from a file.

``check_file`` runs the first three and is what the pages and ``manage.py import_ctf`` use.
"""

from .preview import CheckResult, check_file

__all__ = ["CheckResult", "check_file"]
