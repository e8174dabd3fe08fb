"""Pages: roster (being written)."""
