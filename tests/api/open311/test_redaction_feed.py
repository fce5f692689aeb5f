"""The redaction corpus through the public feed (Open311, JSON and XML) and the JSON API; publication is opt-in."""

from __future__ import annotations

import json
import re

import pytest
import xmltodict

from fuhe.cases.models import Case
from fuhe.cases.services.intake import case_create
from tests.api.conftest import bearer
from tests.audit.core.test_redaction_corpus import NEGATIVE, POSITIVE

TYPED = "\n".join(typed for typed, _shown in POSITIVE)
SHOWN = "\n".join(shown for _typed, shown in POSITIVE)
KEPT = "\n".join(kept for kept in NEGATIVE if kept)
#: what must never leave: the personal parts of the typed corpus (digits runs and names)
SECRETS = ["1234 5678", "12010119900101123X", "6222021234567890123", "津A12345", "501室", "张三", "欧阳娜娜"]


@pytest.fixture
def corpus_case(tree, categories):
    return case_create(
        actor=None,
        channel="hotline",
        title="井盖缺失，联系人：李四 13812345678",
        text=f"{TYPED}\n{KEPT}",
        address="花园路社区3号楼2单元501室",
        reporter_name="王小明",
        reporter_phone="13912345678",
        category=categories["城乡建设/市政设施/井盖"],
        region=tree.regions["花园路社区"],
        latitude="39.117356",
        longitude="117.201234",
        is_public=True,
    ).case


FULL_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def assert_redacted(body: str, description: str, address: str) -> None:
    assert description == f"{SHOWN}\n{KEPT}"
    assert not FULL_PHONE.search(body)
    assert address == "花园路社区3号楼*单元***室"
    for secret in [*SECRETS, "王小明", "李四"]:
        assert secret not in body, secret


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_feed_shows_the_redacted_summary(client, corpus_case, fmt):
    for url in (f"/open311/v2/requests.{fmt}", f"/open311/v2/requests/{corpus_case.pk}.{fmt}"):
        response = client.get(url)
        body = response.content.decode()
        if fmt == "json":
            request = response.json()[0]
        else:
            request = xmltodict.parse(response.content)["service_requests"]["request"]
        assert_redacted(body, request["description"], request["address"])
        assert float(request["lat"]) == 39.117 and float(request["long"]) == 117.201  # about 100 m, not the door


def test_the_json_api_shows_the_same_redaction(client, tree, issue_key, corpus_case):
    response = client.get(f"/api/v1/cases/{corpus_case.pk}", **bearer(issue_key("dispatcher")))
    case = response.json()
    assert_redacted(json.dumps(case, ensure_ascii=False), case["text"], case["address"])
    assert case["title"] == "井盖缺失，联系人：李* 138****5678" and case["reporter_phone"] == "139****5678"


def post(client, key, **attributes):
    form = {"api_key": key, "service_code": "", "address_string": "花园路社区3号楼", "description": "井盖丢了"}
    return client.post("/open311/v2/requests.json", {**form, **attributes})


def test_an_open311_post_is_private_unless_the_reporter_agreed(client, tree, categories, issue_key):
    key = issue_key(None, application="city-app")
    service = str(categories["城乡建设/市政设施/井盖"].pk)
    private = post(client, key, service_code=service).json()[0]
    published = post(client, key, service_code=service, **{"attribute[publish]": "yes"}).json()[0]
    assert Case.objects.get(pk=private["service_request_id"]).is_public is False
    assert Case.objects.get(pk=published["service_request_id"]).is_public is True
    listed = {r["service_request_id"] for r in client.get("/open311/v2/requests.json").json()}
    assert listed == {published["service_request_id"]}
    refused = post(client, key, service_code=service, **{"attribute[publish]": "maybe"})
    assert refused.status_code == 400 and refused.json()[0]["description"].startswith("attribute[publish]")
