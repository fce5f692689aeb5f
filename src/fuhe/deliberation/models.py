"""Models of the deliberation context."""
