"""Pages: ctf (being written)."""
