"""Pages: transfers (being written)."""
