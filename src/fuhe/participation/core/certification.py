"""Volunteer certification without Django: which bodies may certify which field of service, when a certification
is valid, and whether a volunteer's certifications grant a task (docs/participation.md).

The issuer table (``ISSUERS``): a certification of a field is recognised only when its issuing unit is of a kind
listed for that field.

| field | recognised issuers |
|---|---|
| legal (法律援助) | a department or social organisation named …司法局, …司法所 or …法律援助中心 |
| medical (健康上门) | the health commission (卫健委): a department of type ``health`` |
| psychological (心理疏导) | the health commission (卫健委): a department of type ``health`` |
| elderly care (养老照护) | civil affairs (民政局) or human resources and social security (人社局, 养老护理员) |
| emergency rescue (应急救援) | emergency management (应急管理局) |
| general (一般志愿服务) | needs no certification: any volunteer takes it |

The org module's department types have no justice bureau (and a department must have a type), so the legal row
recognises the justice system's units by their name until ``DepartmentType`` gains one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

LEGAL = "legal"
MEDICAL = "medical"
PSYCHOLOGICAL = "psychological"
ELDERLY_CARE = "elderly_care"
EMERGENCY = "emergency"
GENERAL = "general"
FIELDS = (LEGAL, MEDICAL, PSYCHOLOGICAL, ELDERLY_CARE, EMERGENCY, GENERAL)
UNCERTIFIED_FIELDS = frozenset({GENERAL, ""})  # taken and earned on without a certification

DEPARTMENT = "department"  # org.UnitKind.DEPARTMENT


@dataclass(frozen=True)
class IssuerKind:
    """A kind of unit recognised as an issuer: its unit kind, and its department type or a name ending."""

    unit_kind: str
    department_type: str = ""
    name_endings: tuple[str, ...] = ()

    def matches(self, unit_kind: str, department_type: str, name: str) -> bool:
        if unit_kind != self.unit_kind:
            return False
        if self.department_type and department_type != self.department_type:
            return False
        return not self.name_endings or name.endswith(self.name_endings)


JUSTICE_NAMES = ("司法局", "司法所", "法律援助中心")
JUSTICE = IssuerKind(DEPARTMENT, name_endings=JUSTICE_NAMES)
LEGAL_AID_CENTRE = IssuerKind("social_org", name_endings=JUSTICE_NAMES)
HEALTH = IssuerKind(DEPARTMENT, department_type="health")
CIVIL_AFFAIRS = IssuerKind(DEPARTMENT, department_type="civil_affairs")
HUMAN_RESOURCES = IssuerKind(DEPARTMENT, department_type="human_resources")
EMERGENCY_MANAGEMENT = IssuerKind(DEPARTMENT, department_type="emergency")

ISSUERS: dict[str, tuple[IssuerKind, ...]] = {
    LEGAL: (JUSTICE, LEGAL_AID_CENTRE),
    MEDICAL: (HEALTH,),
    PSYCHOLOGICAL: (HEALTH,),
    ELDERLY_CARE: (CIVIL_AFFAIRS, HUMAN_RESOURCES),
    EMERGENCY: (EMERGENCY_MANAGEMENT,),
    GENERAL: (),
}


def issuer_recognised(field: str, *, unit_kind: str, department_type: str, name: str) -> bool:
    """May a unit of this kind certify volunteers in ``field``?"""
    return any(kind.matches(unit_kind, department_type or "", name) for kind in ISSUERS.get(field, ()))


def fields_issued_by(*, unit_kind: str, department_type: str, name: str) -> list[str]:
    """The fields a unit of this kind may certify, in the table's order."""
    return [
        field
        for field in FIELDS
        if issuer_recognised(field, unit_kind=unit_kind, department_type=department_type, name=name)
    ]


@dataclass(frozen=True)
class Grant:
    """One certification as the rules see it."""

    field: str
    level: int
    valid_from: date
    valid_until: date
    revoked_on: date | None = None


def is_valid_on(grant: Grant, day: date) -> bool:
    """Valid from ``valid_from`` through ``valid_until`` (both inclusive), and not from the day it was revoked."""
    if grant.revoked_on is not None and grant.revoked_on <= day:
        return False
    return grant.valid_from <= day <= grant.valid_until


def grants_field(grants: list[Grant], field: str, day: date, *, min_level: int = 1) -> bool:
    """Does any certification valid on ``day`` cover ``field`` at ``min_level`` or above? A general task needs
    none."""
    if field in UNCERTIFIED_FIELDS:
        return True
    return any(g.field == field and g.level >= min_level and is_valid_on(g, day) for g in grants)


def check_window(valid_from: date, valid_until: date) -> str | None:
    """The problem with a validity window, or None: it must end on or after its start, within ten years."""
    if valid_until < valid_from:
        return "有效期的结束日期早于开始日期。 / The certification ends before it starts."
    if (valid_until - valid_from).days > 3660:
        return "有效期不能超过十年。 / A certification is valid for ten years at most."
    return None
