"""Every response carries a Content-Security-Policy that runs scripts only from our own static files."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from fuhe.web.middleware import content_security_policy, tile_source

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


@pytest.mark.parametrize("path", ["/", "/report/", "/track/", "/api/v1/docs", "/open311/v2/services.json"])
def test_public_pages_and_apis_carry_the_policy(client, path):
    response = client.get(path)
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no CDN
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def test_staff_pages_carry_it_too(tree, login):
    response = login(tree.people["dispatcher"]).get(reverse("cases:worklist"))
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_api_docs_load_swagger_from_our_static_files(client):
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn." not in page and "https://" not in page


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("", ""),
        ("https://tiles.example.gov.cn/{z}/{x}/{y}.png", "https://tiles.example.gov.cn"),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        ("http://10.0.0.5:8080/tiles/{z}/{x}/{y}.png", "http://10.0.0.5:8080"),
        ("not a url", ""),
    ],
)
def test_the_tile_server_s_origin(url, source):
    assert tile_source(url) == source


def test_a_tile_server_is_allowed_for_images_only():
    header = content_security_policy(
        {"img-src": ["'self'"], "script-src": ["'self'"]}, tile_url="https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    )
    assert directives(header) == {"img-src": ["'self'", "https://tiles.example.gov.cn"], "script-src": ["'self'"]}


def test_the_header_follows_the_settings(client):
    with override_settings(FUHE_CSP={"default-src": ["'none'"]}, FUHE_MAP_TILE_URL=""):
        from fuhe.web.middleware import ContentSecurityPolicyMiddleware

        middleware = ContentSecurityPolicyMiddleware(lambda request: None)
        assert middleware.header == "default-src 'none'"


def test_favicon_ico_points_at_the_platform_s_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("/static/web/favicon.svg")
