"""Every link a person is shown opens for them: crawled from the home page through the links of each page, role by
role, no link leads to a page that answers 404 or 403 for the one who was shown it (found on the demo: the duty
list linked the routing dashboard for community workers, who may not open it)."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest

from tests.burden.conftest import burden  # noqa: F401  (fixtures used by name)
from tests.burden.views.conftest import frozen, issue, tasks  # noqa: F401
from tests.cases.conftest import housing  # noqa: F401
from tests.web.test_language_complete import STAFF, new_case, world  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

#: not followed: leaving the session, the back office, files and downloads, the API
SKIP = re.compile(r"^/(accounts/logout|admin/|static/|media/|i18n/|api/|open311/)|export|format=|\.(pdf|xlsx|csv)$")
#: pages fetched per role, and pages of one shape (ids replaced) per role: enough to reach every kind of page
PER_ROLE, PER_SHAPE = 150, 2


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href and not href.startswith(("#", "mailto:", "tel:", "javascript:")):
                self.hrefs.append(href)


def links(page_url: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        url = urlparse(urljoin(page_url, href))
        if url.netloc not in ("", "testserver"):
            continue
        path = url.path + (f"?{url.query}" if url.query else "")
        if not SKIP.search(path):
            found.append(path)
    return found


def crawl(client, start: str = "/") -> list[str]:
    """The links that answered 404 or 403, each with the page that showed it."""
    dead, queue, shown_on, shapes, fetched = [], [start], {start: "—"}, Counter(), 0
    while queue and fetched < PER_ROLE:
        url = queue.pop(0)
        shape = re.sub(r"\d+", "N", urlparse(url).path)
        if shapes[shape] >= PER_SHAPE:
            continue
        shapes[shape] += 1
        response = client.get(url)
        fetched += 1
        if response.status_code in (403, 404):
            dead.append(f"{url} ({response.status_code}), linked from {shown_on[url]}")
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for link in links(url, response.content.decode(response.charset or "utf-8")):
            if link not in shown_on:
                shown_on[link] = url
                queue.append(link)
    return dead


def test_the_crawler_reports_a_link_to_a_page_its_reader_may_not_open(client, world):  # noqa: F811
    client.force_login(world.tree.people["community"])
    assert crawl(client, "/no-such-page/") == ["/no-such-page/ (404), linked from —"]
    page = '<a href="../2/">x</a><a href="#top">t</a><a href="/static/a.css">s</a><a href="https://x.org/">o</a>'
    assert links("/duties/1/", page) == ["/duties/2/"]


def test_no_link_leads_to_a_page_its_reader_may_not_open(client, world):  # noqa: F811
    dead = []
    for who in STAFF:
        client.logout()
        client.force_login(world.tree.people[who])
        dead += [f"{who}: {entry}" for entry in crawl(client)]
    assert not dead, "\n".join(dead)
