"""Helpers for the tests of scoped ``*_get`` selectors: out of scope must look exactly like missing."""

from __future__ import annotations

import pytest
from django.http import Http404

#: an id no test row has
MISSING = 987_654_321


def not_found(get, **arguments) -> str:
    """Call ``get`` expecting the 404 of a missing or out-of-scope object; its message, to compare."""
    with pytest.raises(Http404) as raised:
        get(**arguments)
    return str(raised.value)
