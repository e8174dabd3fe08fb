"""Imports, the census check, transfers, chronology, subject access and retention."""

from django.urls import path  # noqa: F401 (each section below adds its paths)

from .views import census, chronology, ctf, retention, roster, subject_access, transfers

app_name = "exchange"
urlpatterns = [
    # --- roster import (roster.py) ---
    # --- CTF import (ctf.py) ---
    # --- census check (census.py) ---
    # --- transfer packages (transfers.py) ---
    # --- chronology (chronology.py) ---
    # --- subject access (subject_access.py) ---
    # --- archive, legal hold and retention (retention.py) ---
]

# Each helper's section above fills in; the names keep the imports used until then.
_VIEW_MODULES = (census, chronology, ctf, retention, roster, subject_access, transfers)
