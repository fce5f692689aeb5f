"""The participation context's algorithms (no Django): the points ledger's double entry and keyed chain."""
