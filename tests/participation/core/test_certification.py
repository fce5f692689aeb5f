"""The issuer table row by row, the validity window (a hypothesis property) and what a set of grants allows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuhe.participation.core.certification import (
    ELDERLY_CARE,
    EMERGENCY,
    GENERAL,
    LEGAL,
    MEDICAL,
    PSYCHOLOGICAL,
    Grant,
    check_window,
    fields_issued_by,
    grants_field,
    is_valid_on,
    issuer_recognised,
)

D = date(2026, 5, 1)


@pytest.mark.parametrize(
    ("field", "unit_kind", "department_type", "name", "recognised"),
    [
        (LEGAL, "department", "", "和平区司法局", True),
        (LEGAL, "department", "", "劝业场街道司法所", True),
        (LEGAL, "department", "health", "和平区卫生健康委员会", False),
        (LEGAL, "social_org", "", "和平区法律援助中心", True),
        (LEGAL, "social_org", "", "和平区社区社会组织联合会", False),
        (LEGAL, "residents_committee", "", "花园路司法所", False),
        (MEDICAL, "department", "health", "和平区卫生健康委员会", True),
        (MEDICAL, "department", "", "和平区司法局", False),
        (PSYCHOLOGICAL, "department", "health", "卫健委", True),
        (ELDERLY_CARE, "department", "civil_affairs", "和平区民政局", True),
        (ELDERLY_CARE, "department", "human_resources", "和平区人社局", True),
        (ELDERLY_CARE, "department", "health", "卫健委", False),
        (EMERGENCY, "department", "emergency", "和平区应急管理局", True),
        (GENERAL, "department", "civil_affairs", "和平区民政局", False),
        ("cooking", "department", "health", "卫健委", False),
    ],
)
def test_the_issuer_table(field, unit_kind, department_type, name, recognised):
    assert issuer_recognised(field, unit_kind=unit_kind, department_type=department_type, name=name) is recognised


def test_fields_issued_by_a_health_commission():
    assert fields_issued_by(unit_kind="department", department_type="health", name="卫健委") == [
        MEDICAL,
        PSYCHOLOGICAL,
    ]


def test_a_street_office_certifies_nothing():
    assert fields_issued_by(unit_kind="street_office", department_type="", name="劝业场街道办事处") == []


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2032, 12, 31))


@given(start=days, length=st.integers(0, 2000), day=days, revoked=st.one_of(st.none(), days))
def test_validity_is_the_inclusive_window_before_any_revocation(start, length, day, revoked):
    grant = Grant(LEGAL, 1, start, start + timedelta(days=length), revoked)
    expected = start <= day <= start + timedelta(days=length) and (revoked is None or day < revoked)
    assert is_valid_on(grant, day) is expected
    # never valid on the day of revocation or after it, never before its start, never after its end
    if revoked is not None:
        assert not is_valid_on(grant, max(day, revoked))
    assert not is_valid_on(grant, start - timedelta(days=1))
    assert not is_valid_on(grant, start + timedelta(days=length + 1))


def test_grants_need_the_field_and_the_level():
    grants = [Grant(LEGAL, 2, D - timedelta(days=10), D + timedelta(days=10))]
    assert grants_field(grants, LEGAL, D, min_level=2)
    assert not grants_field(grants, LEGAL, D, min_level=3)
    assert not grants_field(grants, MEDICAL, D)
    assert not grants_field(grants, LEGAL, D + timedelta(days=11))
    assert grants_field([], GENERAL, D) and grants_field([], "", D)


def test_the_window_checks():
    assert check_window(D, D) is None
    assert "ends before" in check_window(D, D - timedelta(days=1))
    assert "ten years" in check_window(D, D + timedelta(days=3661))
