"""Signals of the org context, for caches elsewhere that derive from regions and units."""

from django.dispatch import Signal

#: sent after regions were written in bulk (imports bypass the models' save signals)
regions_changed = Signal()
