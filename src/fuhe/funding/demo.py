"""Demo data of project-based allocation (公益创投): the street office of ``hp-dispatcher`` publishes a call for
the elderly-meal demand raised by ``hp-community``; the street's volunteer team (``hp-volunteer``) applies;
``hp-leader`` and ``hp-supervisor`` score; the office awards, pays a first tranche; the team records spending and
reports both deliverables; the community confirms the first one (the second waits for it, so the demand stays
open). Everything goes through the services (audited). Idempotent: a second build changes nothing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext

from fuhe.accounts.models import Role, RoleAssignment
from fuhe.funding import services
from fuhe.funding.models import Call
from fuhe.org.models import UnitKind
from fuhe.resources.models import DemandPriority, DemandSource, ResourceKind
from fuhe.resources.services import demand_create, region_centroid

CALL_TITLE = "2026年度社区助老公益创投"
FALLBACK_POINT = (39.117, 117.205)


def _post(username: str, role: str) -> RoleAssignment | None:
    return (
        RoleAssignment.objects.select_related("region", "unit", "user")
        .filter(user__username=username, role=role)
        .order_by("id")
        .first()
    )


def demo_funding_build(*, progress=None) -> None:
    owner = _post("hp-dispatcher", Role.STREET_DISPATCHER)
    community = _post("hp-community", Role.COMMUNITY_WORKER)
    volunteer = _post("hp-volunteer", Role.VOLUNTEER)
    leader = _post("hp-leader", Role.LEADER)
    supervisor = _post("hp-supervisor", Role.SUPERVISOR)
    if None in (owner, community, volunteer, leader, supervisor):
        return  # the core demo is not built
    if Call.objects.filter(title=CALL_TITLE, owner_id=owner.unit_id).exists():
        return
    today = timezone.localdate()
    now = timezone.now()
    centre = region_centroid(community.region) or FALLBACK_POINT
    demand = demand_create(
        actor=community.user,
        title="独居老人助餐与探访",
        source=DemandSource.PLAN,
        priority=DemandPriority.BASIC_LIVELIHOOD,
        kind=ResourceKind.SERVICE,
        quantity=40,
        window_start=now,
        window_end=now + timedelta(days=90),
        region_id=community.region_id,
        latitude=f"{centre[0]:.6f}",
        longitude=f"{centre[1]:.6f}",
        place_label=community.region.name,
    )
    call = services.call_publish(
        actor=owner.user,
        owner_id=owner.unit_id,
        title=CALL_TITLE,
        description="面向社会组织、志愿服务队的助老服务项目，资金来自街道党群服务中心党组织服务群众经费。",
        budget="150000",
        eligible_kinds=[UnitKind.SOCIAL_ORG, UnitKind.VOLUNTEER_TEAM, UnitKind.PROPERTY_COMPANY],
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=20),
        criteria=[("需求契合度", 30), ("方案可行性", 30), ("资金效益", 20), ("组织能力", 20)],
        panel_ids=[leader.user_id, supervisor.user_id],
        demand_ids=[demand.pk],
        minimum_score=60,
    )
    application = services.application_submit(
        actor=volunteer.user,
        call=call,
        applicant_id=volunteer.unit_id,
        demand_id=demand.pk,
        title="“银龄餐桌”助餐探访项目",
        plan="为社区40户独居老人每周送餐五次，志愿者每月上门探访并记录健康情况，季度末向居委会报告。",
        requested="86000",
        deliverables=[
            {"description": "助餐送餐服务", "quantity": 40, "unit_label": "户", "due_on": today + timedelta(days=30)},
            {"description": "上门探访记录", "quantity": 40, "unit_label": "份", "due_on": today + timedelta(days=60)},
        ],
    )
    criteria = list(call.criteria.all())
    for member, scores in ((leader, (88, 82, 80, 85)), (supervisor, (84, 80, 76, 82))):
        services.scores_submit(
            actor=member.user, application=application, scores={c.pk: s for c, s in zip(criteria, scores, strict=True)}
        )
    award = services.call_award(actor=owner.user, call=call)[0]
    services.tranche_disburse(actor=owner.user, award=award, amount="50000", paid_on=today, note="首笔拨付（60%）")
    services.spending_record(actor=volunteer.user, award=award, amount="18650.00", spent_on=today, purpose="食材采购")
    services.spending_record(actor=volunteer.user, award=award, amount="3200.00", spent_on=today, purpose="保温餐盒")
    first, second = application.deliverables.order_by("due_on", "id")
    services.deliverable_report(actor=volunteer.user, deliverable=first, delivered_quantity=40, note="40户均已送餐")
    services.deliverable_report(actor=volunteer.user, deliverable=second, delivered_quantity=40, note="探访记录已上传")
    services.deliverable_confirm(actor=community.user, deliverable=first)
    if progress is not None:
        progress(
            gettext("funding: call “%(title)s” awarded, money path with a tranche and spending") % {"title": call.title}
        )
