"""Models of the funding context."""
