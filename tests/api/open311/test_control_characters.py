"""One control character in one report must not make the public feed unreadable (XML 1.0 cannot carry it)."""

from __future__ import annotations

from xml.etree import ElementTree  # noqa: S405 - parsing our own answers

import pytest

from fuhe.cases.models import Case
from fuhe.cases.services.intake import case_create
from fuhe.common.text import without_control_characters

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("井盖\x0b缺失", "井盖缺失"),
        ("a\x00b\x08c\x0cd\x1fe", "abcde"),
        ("第一行\n第二行\r\n\t缩进", "第一行\n第二行\r\n\t缩进"),  # tab, LF and CR stay
        ("non-characters \ufffe\uffff and a lone surrogate \ud800", "non-characters  and a lone surrogate "),
        ("", ""),
    ],
)
def test_only_what_xml_cannot_hold_is_dropped(typed, kept):
    assert without_control_characters(typed) == kept


def test_intake_drops_them_and_the_xml_feed_stays_readable(client, tree, categories):
    case = case_create(
        actor=None,
        channel="hotline",
        title="井盖\x0b缺失",
        text="花园路3号楼前井盖\x0b缺失\x1b",
        address="花园路\x07社区",
        reporter_name="王\x0c小明",
        category=categories["城乡建设/市政设施/井盖"],
        region=tree.regions["花园路社区"],
        is_public=True,
    ).case
    case.refresh_from_db()
    assert (case.title, case.text, case.address, case.reporter_name) == (
        "井盖缺失",
        "花园路3号楼前井盖缺失",
        "花园路社区",
        "王小明",
    )
    # a row stored before intake dropped them: the renderer drops them too
    Case.objects.filter(pk=case.pk).update(text="旧数据\x0b里的控制字符")
    response = client.get("/open311/v2/requests.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)  # noqa: S314 - raises on any character XML forbids
    assert [node.text for node in root.iter("description")] == ["旧数据里的控制字符"]
