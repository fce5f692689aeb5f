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

        message = "must not contain NUL characters (U+0000)"
        if request.path.lstrip("/").startswith("api/"):
            loc = [location, field] if field else [location]
            return JsonResponse({"detail": [{"loc": loc, "msg": message, "type": "value_error"}]}, status=422)
        text = f"{field or location}: {message}"
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
