"""The volunteer quarter of the demo (idempotent): 和平区's legal-aid centre certifies hp-volunteer for legal aid;
hp-community posts a few requests (legal aid, a health visit, general tasks), one of them served by hp-volunteer,
recorded and counter-signed, so the volunteer holds points; the committee's redemption catalogue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.accounts.services import role_assignment_save
from fuhe.org.models import Region, RegionLevel, Unit, UnitKind
from fuhe.org.services import unit_save
from fuhe.participation.models import Certification, RedemptionItem, ServiceField, ServiceRequest
from fuhe.participation.services import (
    certification_issue,
    service_record_create,
    service_record_sign,
    service_request_create,
    service_request_take,
)

OFFICER = "hp-legal-aid"
CATALOGUE = [
    ("社区理发服务", "社区党群服务中心每周三上午", 30, 20),
    ("家电小修", "社区志愿维修站上门服务一次", 50, 10),
    ("社区食堂午餐券", "社区长者食堂一餐", 20, 50),
    ("老年大学体验课", "书法或合唱体验课一次", 40, 15),
]


def _home(user: User) -> RoleAssignment:
    return user.roles.select_related("region", "unit").order_by("id").first()


def _legal_aid_centre(actor: User, district: Region) -> Unit:
    name = f"{district.name}法律援助中心"
    centre = Unit.objects.filter(name=name, region=district).first()
    if centre is None:
        centre = unit_save(actor=actor, unit=Unit(name=name, kind=UnitKind.SOCIAL_ORG, region=district))
    return centre


def _officer(actor: User, centre: Unit, password_hash: str) -> User:
    officer = User.objects.filter(username=OFFICER).first()
    if officer is None:
        officer = User.objects.create(
            username=OFFICER, display_name="法律援助中心 王律师", password=password_hash, is_active=True
        )
        role_assignment_save(
            actor=actor,
            assignment=RoleAssignment(user=officer, role=Role.DEPARTMENT_HANDLER, unit=centre, region=centre.region),
        )
    return officer


def _requests(worker: User, committee: Unit, community: Region, volunteer: User) -> None:
    now = timezone.now()

    def post(title: str, field: str, days: int, hours: str, description: str) -> ServiceRequest:
        return service_request_create(
            actor=worker,
            unit=committee,
            title=title,
            field=field,
            region=community,
            place=f"{community.name}党群服务中心",
            starts_at=now + timedelta(days=days),
            expected_hours=hours,
            description=description,
        )

    served = post("陪同独居老人就医", ServiceField.GENERAL, -3, "3", "陪同85岁独居老人到区医院复诊，协助挂号取药。")
    service_request_take(actor=volunteer, request=served)
    record = service_record_create(
        actor=volunteer,
        request=served,
        content="陪同老人复诊、挂号、取药并送回家中",
        place="和平区人民医院",
        started_at=now - timedelta(days=3),
        hours="3",
    )
    service_record_sign(actor=worker, record=record, confirmed=True)
    post("租房合同纠纷法律咨询", ServiceField.LEGAL, 2, "2", "居民与房东就押金退还产生纠纷，需要法律咨询。")
    post("独居老人健康上门随访", ServiceField.MEDICAL, 3, "2", "为辖区3位独居老人测量血压、血糖并记录。")
    post("楼道杂物清理志愿活动", ServiceField.GENERAL, 5, "2", "清理3号楼楼道堆放杂物，消除消防隐患。")


@transaction.atomic
def demo_participation_build(*, progress: Callable[[str], None] | None = None) -> None:
    """Build the demo's volunteers, requests and catalogue (idempotent)."""
    say = progress or (lambda _message: None)
    worker = User.objects.get(username="hp-community")
    volunteer = User.objects.get(username="hp-volunteer")
    home = _home(worker)
    committee, community = home.unit, home.region
    district = (
        Region.objects.filter(level=RegionLevel.DISTRICT, id__lte=community.id, id__gt=community.id - 10**9)
        .order_by("-id")
        .first()
    )
    actor = User.objects.filter(is_superuser=True).order_by("id").first() or worker
    centre = _legal_aid_centre(actor, district)
    officer = _officer(actor, centre, worker.password)
    if not Certification.objects.filter(volunteer=volunteer, field=ServiceField.LEGAL).exists():
        today = timezone.localdate()
        certification_issue(
            actor=officer,
            volunteer=volunteer,
            issuer=centre,
            field=ServiceField.LEGAL,
            level=2,
            evidence="法律职业资格证书 A20191201；区法律援助志愿者培训结业",
            valid_from=today - timedelta(days=90),
            valid_until=today + timedelta(days=2 * 365),
        )
    for name, description, points, stock in CATALOGUE:
        if not RedemptionItem.objects.filter(name=name, owner=committee).exists():
            RedemptionItem.objects.create(
                name=name, description=description, points=points, owner=committee, stock=stock
            )
    if ServiceRequest.objects.filter(owner=worker).exists():
        say(gettext("participation: already built"))
        return
    _requests(worker, committee, community, volunteer)
    say(gettext("participation: a certified legal-aid volunteer, service requests, a signed record and the catalogue"))
