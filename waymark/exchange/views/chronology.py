"""Pages: chronology (being written)."""
