"""Notes, documents and shares with outside specialists."""

from django.urls import path  # noqa: F401

from .views import documents, notes, shares  # noqa: F401

app_name = "evidence"
urlpatterns = [
    # --- notes and the timeline (notes.py) ---
    # --- documents (documents.py) ---
    # --- shares with outside specialists (shares.py) ---
]
