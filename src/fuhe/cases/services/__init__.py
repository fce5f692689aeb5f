"""Writes of the cases context. Import from the submodules; each write is one atomic action."""
