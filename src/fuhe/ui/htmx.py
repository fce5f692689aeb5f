"""The one switch between a whole page and the fragment an HTMX request swaps in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def is_htmx(request: HttpRequest) -> bool:
    """Whether the request came from HTMX (it sends ``HX-Request: true``)."""
    return bool(request.headers.get("HX-Request"))


def render_page_or_partial(
    request: HttpRequest, *, page: str, partial: str, context: dict, status: int = 200
) -> HttpResponse:
    """Render ``partial`` for an HTMX request and ``page`` (which includes the partial) otherwise."""
    return render(request, partial if is_htmx(request) else page, context, status=status)
