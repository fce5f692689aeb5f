from urllib.parse import urlsplit

from django.conf import settings
from django.utils import translation


class DefaultLanguageMiddleware:
    """Simplified Chinese unless the user chose another language (the language cookie); a browser's
    Accept-Language alone does not switch a government platform's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


NUL = "\x00"
_JSON_NUL = b"\\u0000"


class NulCharacterGuardMiddleware:
    """Refuses input holding NUL characters (U+0000) before any view sees it, naming the field.

    No form or API field of the platform can mean a NUL, and PostgreSQL text columns cannot store one: without
    this guard such input passed validation and failed deep inside a query (a server error on PostgreSQL,
    silently stored on SQLite). The JSON API answers in its own error format (422 with the field's location),
    Open311 in the spec's error list, every other page with a plain 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = self._find(request)
        if problem is not None:
            return self._refuse(request, *problem)
        return self.get_response(request)

    @staticmethod
    def _find(request) -> tuple[str, str] | None:
        if NUL in request.path:
            return "path", "path"
        for key, values in request.GET.lists():
            if NUL in key or any(NUL in value for value in values):
                return "query", key.replace(NUL, "")
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method in ("POST", "PUT", "PATCH"):
            if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
                for key, values in request.POST.lists():
                    if NUL in key or any(NUL in value for value in values):
                        return "body", key.replace(NUL, "")
            elif content_type.startswith("application/json"):
                body = request.body
                if b"\x00" in body or _JSON_NUL in body:
                    return "body", ""
        return None

    @staticmethod
    def _refuse(request, location: str, field: str):
        import json

        from django.http import HttpResponse, JsonResponse
        from django.utils.translation import gettext

        if request.path.lstrip("/").startswith("api/"):  # the JSON API's validation format, as django-ninja's own
            loc = [location, field] if field else [location]
            message = "must not contain NUL characters (U+0000)"
            return JsonResponse({"detail": [{"loc": loc, "msg": message, "type": "value_error"}]}, status=422)
        message = gettext("must not contain NUL characters (U+0000)")
        from fuhe.ui.errors import field_label

        text = gettext("%(field)s: %(message)s") % {"field": field_label(field or location), "message": message}
        if request.path.lstrip("/").startswith("open311/"):
            if request.path.endswith(".xml"):
                from xml.sax.saxutils import escape

                body = (
                    '<?xml version="1.0" encoding="utf-8"?><errors><error><code>400</code>'
                    f"<description>{escape(text)}</description></error></errors>"
                )
                return HttpResponse(body, status=400, content_type="text/xml; charset=utf-8")
            return HttpResponse(
                json.dumps([{"code": 400, "description": text}]), status=400, content_type="application/json"
            )
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


def tile_source(url: str) -> str:
    """The CSP source of a map tile URL template: its scheme and host, a ``{s}`` subdomain as a wildcard."""
    if not url:
        return ""
    parts = urlsplit(url)
    host = parts.netloc.replace("{s}", "*")
    return f"{parts.scheme}://{host}" if parts.scheme and host else ""


def content_security_policy(directives: dict[str, list[str]], *, tile_url: str = "") -> str:
    """The header's value: the directives in order, with the tile server added to ``img-src``."""
    sources = {name: list(values) for name, values in directives.items()}
    tiles = tile_source(tile_url)
    if tiles:
        sources.setdefault("img-src", ["'self'"]).append(tiles)
    return "; ".join(" ".join([name, *values]) for name, values in sources.items())


class ContentSecurityPolicyMiddleware:
    """Sends the Content-Security-Policy of ``settings.FUHE_CSP`` on every response (ADR 0010).

    Every script the platform runs is a static file of its own origin (``script-src 'self'``: no inline script,
    no handler attribute, no eval), so an injected ``<script>`` or ``onerror=`` does not run. The policy is
    static, so the header is built once, at start-up, not per response."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = content_security_policy(settings.FUHE_CSP, tile_url=settings.FUHE_MAP_TILE_URL)

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Content-Security-Policy", self.header)
        return response


#: what SQLite and PostgreSQL say when a write waited for a lock longer than the configured timeout
_BUSY_MESSAGES = (
    "database is locked",
    "database is busy",
    "database table is locked",
    "lock timeout",
    "could not obtain lock",
    "deadlock detected",
)


def is_database_busy(exc: BaseException) -> bool:
    """Whether ``exc`` is the database refusing a write because another writer held it too long."""
    from django.db.utils import OperationalError

    return isinstance(exc, OperationalError) and any(text in str(exc).lower() for text in _BUSY_MESSAGES)


class DatabaseBusyMiddleware:
    """A write that meets a busy database answers 503 with a clear message in the user's language and keeps what
    the user typed: the page gives the posted fields back in a form that sends them again (the form's own
    submission id makes a second send safe). The JSON API and Open311 answer in their own error formats, with
    ``Retry-After``. Nothing was written: the transaction that met the lock rolled back."""

    RETRY_AFTER_SECONDS = 5

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_busy(exception):
            return None
        import json
        import logging

        from django.http import HttpResponse, JsonResponse
        from django.shortcuts import render
        from django.utils.translation import gettext

        logging.getLogger("fuhe.db").warning("database busy on %s %s: %s", request.method, request.path, exception)
        message = gettext("The system is busy right now and nothing was saved. Please send it again in a few seconds.")
        path = request.path.lstrip("/")
        if path.startswith("api/"):
            response = JsonResponse({"detail": message}, status=503)
        elif path.startswith("open311/"):
            if request.path.endswith(".xml"):
                from xml.sax.saxutils import escape

                body = (
                    '<?xml version="1.0" encoding="utf-8"?><errors><error><code>503</code>'
                    f"<description>{escape(message)}</description></error></errors>"
                )
                response = HttpResponse(body, status=503, content_type="text/xml; charset=utf-8")
            else:
                response = HttpResponse(
                    json.dumps([{"code": 503, "description": message}], ensure_ascii=False),
                    status=503,
                    content_type="application/json",
                )
        else:
            fields = []
            if request.method == "POST":
                fields = [
                    (name, value)
                    for name, values in request.POST.lists()
                    # never written back into a page: the CSRF token (a fresh one is given) and secrets
                    if name != "csrfmiddlewaretoken" and "password" not in name.lower()
                    for value in values
                ]
            response = render(
                request,
                "web/busy.html",
                {
                    "message": message,
                    "fields": fields,
                    # what a person typed (not ids or tokens): shown, so it can be copied even if sending again fails
                    "typed": [value for _name, value in fields if not value.isascii() or " " in value.strip()],
                    "files_dropped": bool(request.method == "POST" and request.FILES),
                    "action": request.get_full_path(),
                },
                status=503,
            )
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response
