"""The queue page: sorts and filters in the URL, HTMX partial updates, pagination that keeps the filters, the
兜底 mark and the repeat-caller count (never the phone)."""

from __future__ import annotations

import re

from django.urls import reverse

from fuhe.cases.services.intake import case_create

PHONE = "13900002222"


def shows_phone_tail(page: str) -> bool:
    """The phone's last four digits as a token of their own (a masked number such as 139****2222), not as part
    of a random tracking code or token that happens to hold them (FN22226HQD once failed CI)."""
    return re.search(rf"(?<![A-Za-z0-9])[\d*]*{PHONE[-4:]}(?![A-Za-z0-9])", page) is not None


def make(tree, community, **fields):
    values = {"actor": None, "channel": "hotline", "text": "小区门口占道经营", "region": tree.regions[community]}
    values.update(fields)
    return case_create(**values).case


def test_the_queue_page_filters_and_marks_the_districts_fallback(tree, login):
    first = make(tree, "花园路社区", reporter_phone=PHONE)
    again = make(tree, "花园路社区", reporter_phone=PHONE)
    fallback = make(tree, "五大道社区")
    client = login(tree.people["admin"])
    page = client.get(reverse("cases:queue")).content.decode()
    for case in (first, again, fallback):
        assert case.tracking_code in page
    assert PHONE not in page and not shows_phone_tail(page)
    assert 'name="no_dispatcher"' in page and 'name="repeat"' in page and 'name="channel"' in page

    only_fallback = client.get(reverse("cases:queue"), {"no_dispatcher": "1"}).content.decode()
    assert fallback.tracking_code in only_fallback and first.tracking_code not in only_fallback
    assert "小白楼街道" in only_fallback  # the reason names the street without a dispatcher

    repeat = client.get(reverse("cases:queue"), {"repeat": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in repeat  # the partial, swapped in by HTMX
    assert again.tracking_code in repeat and first.tracking_code not in repeat
    assert 'name="repeat" value="1" checked' not in repeat  # the form is not in the partial


def test_the_filters_survive_paging(tree, login, settings):
    settings.FUHE_PAGE_SIZE = 2
    for _ in range(3):
        make(tree, "花园路社区", channel="web")
    make(tree, "花园路社区")
    client = login(tree.people["admin"])
    first = client.get(reverse("cases:queue"), {"channel": "web", "order": "newest"}).content.decode()
    assert "?channel=web&amp;order=newest&amp;page=2" in first
    second = client.get(reverse("cases:queue"), {"channel": "web", "order": "newest", "page": "2"}).content.decode()
    assert second.count('name="case"') == 1  # the third web case, not the hotline one
    assert 'value="newest" selected' in second and 'value="web" selected' in second


def test_unknown_filter_values_fall_back_to_the_defaults(tree, login):
    make(tree, "花园路社区")
    client = login(tree.people["dispatcher"])
    response = client.get(reverse("cases:queue"), {"order": "drop table", "channel": "fax", "category": "x"})
    assert response.status_code == 200
