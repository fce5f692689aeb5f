"""Fixtures of the points-ledger tests: a key of their own, people who earn, an organisation that issues."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.audit import services as audit_services
from fuhe.org.models import DepartmentType, Unit, UnitKind
from fuhe.participation import rules
from fuhe.participation.models import RedemptionItem
from fuhe.participation.services import certification_issue, points_earning_post, service_request_create
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def ledger_key_file(settings, tmp_path):
    """Each test signs the ledger (and the audit log) with a key of its own, never the data folder's."""
    settings.FUHE_AUDIT_KEY_FILE = tmp_path / "keys" / "audit.key"
    audit_services._signing = None
    yield settings.FUHE_AUDIT_KEY_FILE
    audit_services._signing = None


@pytest.fixture(autouse=True)
def _no_earning_checks():
    """No certification check is registered unless a test registers one."""
    saved = list(rules._earning_checks)
    rules._earning_checks.clear()
    yield
    rules._earning_checks[:] = saved


@pytest.fixture
def committee(tree):
    """The residents' committee that owns the task and issues its points."""
    return tree.units["花园路社区居委会"]


@pytest.fixture
def owner(tree):
    """The task's owner: a community worker acting for the committee."""
    return tree.people["community"]


@pytest.fixture
def earn(tree, committee, owner):
    """Post an earning counter-signed by the committee's community worker."""

    def _earn(person=None, points=10, reference="burden.task:1", **kwargs):
        return points_earning_post(
            actor=kwargs.pop("actor", owner),
            earner=person or tree.people["volunteer"],
            issuer=kwargs.pop("issuer", committee),
            points=points,
            reference=reference,
            task_owner=kwargs.pop("task_owner", owner),
            **kwargs,
        )

    return _earn


@pytest.fixture
def haircut(committee):
    return RedemptionItem.objects.create(name="理发服务", points=30, owner=committee, stock=2)


# --- volunteers ---------------------------------------------------------------------------------------------------


def _staff(tree, username: str, unit: Unit, role=Role.DEPARTMENT_HANDLER):
    person = User.objects.create_user(username=username, password=PASSWORD, display_name=username)
    RoleAssignment.objects.create(user=person, role=role, region=unit.region, unit=unit)
    tree.people[username] = person
    tree.units[unit.name] = unit
    return person


@pytest.fixture
def justice(tree):
    """和平区法律援助中心 (the justice bureau's legal-aid centre, the legal-aid issuer) and its officer."""
    unit = Unit.objects.create(name="和平区法律援助中心", kind=UnitKind.SOCIAL_ORG, region=tree.regions["和平区"])
    return _staff(tree, "justice", unit)


@pytest.fixture
def health(tree):
    """和平区卫健委 (the medical issuer) and its officer."""
    unit = Unit.objects.create(
        name="和平区卫生健康委员会",
        kind=UnitKind.DEPARTMENT,
        department_type=DepartmentType.HEALTH,
        region=tree.regions["和平区"],
    )
    return _staff(tree, "health", unit)


@pytest.fixture
def certification_check():
    """The volunteer module's certification check, as apps.py registers it (the ledger tests run without it)."""
    unregister = rules.earning_check_register(rules.earning_certified)
    yield
    unregister()


@pytest.fixture
def certify(tree):
    """Issue a certification through the service (the issuer's officer acting)."""

    def _certify(person, officer, *, field="legal", level=2, valid_from=None, valid_until=None):
        today = timezone.localdate()
        return certification_issue(
            actor=officer,
            volunteer=person,
            issuer=tree.units[officer.roles.first().unit.name],
            field=field,
            level=level,
            evidence="律师执业证 12010201",
            valid_from=valid_from or today - timedelta(days=30),
            valid_until=valid_until or today + timedelta(days=365),
        )

    return _certify


@pytest.fixture
def post_request(tree, owner, committee):
    """A legal-aid request in 花园路社区 posted by its community worker."""

    def _post(field="legal", **kwargs):
        return service_request_create(
            actor=kwargs.pop("actor", owner),
            unit=committee,
            title=kwargs.pop("title", "法律咨询：房屋租赁纠纷"),
            field=field,
            region=kwargs.pop("region", tree.regions["花园路社区"]),
            place="花园路社区党群服务中心",
            starts_at=kwargs.pop("starts_at", timezone.now() - timedelta(hours=5)),
            expected_hours=kwargs.pop("expected_hours", "2"),
            **kwargs,
        )

    return _post
