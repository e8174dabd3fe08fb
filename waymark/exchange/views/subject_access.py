"""Pages: subject_access (being written)."""
