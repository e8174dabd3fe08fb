"""Pages: retention (being written)."""
