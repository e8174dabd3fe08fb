"""Pages: census (being written)."""
