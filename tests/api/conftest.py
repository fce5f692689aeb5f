"""Fixtures of the API tests: keys, categories, cases (one public with a phone number, one non-public)."""

from __future__ import annotations

import pytest

from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.api.services import api_key_create
from fuhe.cases.models import Category
from fuhe.cases.services.intake import case_create

PHONE = "13912345678"
SECRET_TEXT = "内部线索：联系人李秘密，电话13700001111，住5号楼2单元301室，举报人住址保密"
HIDDEN_ADDRESS = "花园路社区5号楼2单元301室"
#: what ``redact`` takes out of the private case's text and address: no API answer may hold it
HIDDEN_DETAIL = ("李秘密", "13700001111", "2单元", "301室")


@pytest.fixture(autouse=True)
def _api_settings(settings):
    """Generous limits (the counters' per-test cache is set in tests/conftest.py); the district fallback for
    unplaced reports."""
    settings.FUHE_RATE_LIMITS = {"public_read": "1000/m", "read": "1000/m", "write": "1000/m"}
    settings.FUHE_FALLBACK_REGION_CODE = "120101000000"


@pytest.fixture
def issue_key(tree):
    def issue(username: str | None = "dispatcher", application: str = "", scopes=None) -> str:
        user = tree.people[username] if username else None
        return api_key_create(actor=None, user=user, application=application, scopes=scopes).secret

    return issue


@pytest.fixture
def categories(db) -> dict[str, Category]:
    made = {}
    for path in (
        "城乡建设",
        "城乡建设/市政设施",
        "城乡建设/市政设施/井盖",
        "城乡建设/市政设施/路灯",
        "环境保护",
        "环境保护/噪声污染",
    ):
        names = path.split("/")
        made[path] = Category.objects.create(
            name=names[-1], parent=made.get("/".join(names[:-1])), level=len(names), path=path
        )
    return made


@pytest.fixture
def cases(tree, categories):
    """A published case with the reporter's phone in the text, a private one, and a published one of 蓟州区."""
    public = case_create(
        actor=tree.people["resident"],
        channel="web",
        text=f"花园路3号楼前井盖缺失，请回电 {PHONE}",
        address="花园路社区3号楼",
        reporter_phone=PHONE,
        reporter_name="王小明",
        category=categories["城乡建设/市政设施/井盖"],
        is_public=True,  # the resident chose to publish a summary
    ).case
    hidden = case_create(
        actor=tree.people["dispatcher"],
        channel="hotline",
        text=SECRET_TEXT,
        address=HIDDEN_ADDRESS,
        reporter_phone="13600002222",
        reporter_name="李秘密",
        category=categories["环境保护/噪声污染"],
        is_public=False,
        region=tree.regions["花园路社区"],
    ).case
    other = case_create(
        actor=None,
        channel="hotline",
        text="西关村路灯不亮",
        address="西关村",
        category=categories["城乡建设/市政设施/路灯"],
        region=tree.regions["西关村"],
        is_public=True,
    ).case
    return {"public": public, "hidden": hidden, "other": other}


@pytest.fixture
def other_street_dispatcher(tree):
    """A street dispatcher of 小白楼街道: same district as the cases of 劝业场街道, another street."""
    person = User.objects.create_user(username="xbl-dispatcher", password="x-correct-horse-9", display_name="xbl")
    RoleAssignment.objects.create(
        user=person, role=Role.STREET_DISPATCHER, region=tree.regions["小白楼街道"], unit=tree.units["小白楼街道办事处"]
    )
    tree.people["xbl-dispatcher"] = person
    return person


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
