"""Demo cases: real citizen messages (the public 2020 message-board set) walked through the real services,
spread over the last weeks so worklists, deadlines and rates look like a street office's Monday morning."""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from fuhe.accounts.models import Role, RoleAssignment
from fuhe.cases.core.lifecycle import IllegalTransition
from fuhe.cases.models import Category, DissatisfactionReason, KnowledgeEntry
from fuhe.cases.rules import may_record_follow_up
from fuhe.cases.services import lifecycle as loop
from fuhe.cases.services.clocks import clock_policies_seed
from fuhe.cases.services.intake import case_create, categories_seed
from fuhe.cases.services.summons import summons_report_in, summons_whistle
from fuhe.org.models import STREET_KINDS, DepartmentType, Region, Unit, UnitKind

#: why the demo's unsatisfied residents are unsatisfied, by whether they call the problem solved
DEMO_REASONS = {
    False: [DissatisfactionReason.NOT_RESOLVED, DissatisfactionReason.PASSED_AROUND, DissatisfactionReason.TOO_SLOW],
    True: [DissatisfactionReason.TOO_SLOW, DissatisfactionReason.NEVER_CONTACTED, DissatisfactionReason.ATTITUDE],
}
#: what the demo's unsatisfied residents say in their own words, now and then
DEMO_COMMENTS = [
    "打了三次电话才有人来",
    "说是修好了，第二天又坏了",
    "答复只是解释政策，没有解决问题",
    "态度还可以，就是太慢",
]
TERRITORIAL_SHARE = 0.35  # 直派: cases with a clear place go to the street, which summons the department (吹哨)
LABEL_DEPARTMENT = {
    "城乡建设": DepartmentType.HOUSING,
    "环境保护": DepartmentType.ECOLOGY,
    "交通运输": DepartmentType.TRANSPORT,
    "教育文体": DepartmentType.EDUCATION,
    "劳动和社会保障": DepartmentType.HUMAN_RESOURCES,
    "商贸旅游": DepartmentType.MARKET_REGULATION,
    "卫生计生": DepartmentType.HEALTH,
}
REQUEST_TYPES = ["help", "complaint", "consultation", "suggestion", "report"]


def _unit_quality(unit: Unit) -> float:
    """How well a unit serves, fixed per unit (its own seeded draw): the chance that a resident who rates is
    satisfied, from 0.68 to 0.97, so the units' satisfaction rates spread as they do in practice (practice.zh.md
    §(a1): Beijing's 满意率 rose from 65 % to 97 %), instead of every unit showing 100 %."""
    return random.Random(f"quality-{unit.pk}").uniform(0.68, 0.97)


def _read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _at(moment: datetime):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def demo_cases_build(
    *, messages_dir: Path, count: int = 400, seed: int = 7, progress: Callable[[str], None] = lambda m: None
) -> int:
    taxonomy = _read(messages_dir / "taxonomy.csv")
    categories_seed([(r["level1"], r["level2"], r["level3"]) for r in taxonomy])
    clock_policies_seed()
    messages = _read(messages_dir / "labelled_train.csv")
    reply_rows = _read(messages_dir / "replies.csv")
    replies = {r["title"]: r["reply"] for r in reply_rows}
    KnowledgeEntry.objects.bulk_create(
        [
            KnowledgeEntry(
                question=r["title"][:200], answer=r["reply"], source="public replies of a city message board"
            )
            for r in reply_rows
            if r["reply"].strip()
        ]
    )
    rng = random.Random(seed)
    communities = list(Region.objects.filter(level="community", units__kind="residents_committee").distinct())
    villages = list(Region.objects.filter(level="community", units__kind="village_committee").distinct()[:200])
    level1 = {c.name: c for c in Category.objects.filter(level=1)}
    dispatchers = {
        a.region_id: a.user for a in RoleAssignment.objects.filter(role=Role.STREET_DISPATCHER).select_related("user")
    }
    now = timezone.now()
    made = 0
    for index in range(count):
        message = messages[index % len(messages)]
        region = rng.choice(communities if rng.random() < 0.7 else villages)
        received = now - timedelta(days=rng.uniform(0, 45), hours=rng.uniform(0, 8))
        category = level1.get(message["label"])
        with _at(received):
            case = case_create(
                actor=None,
                channel=rng.choice(["hotline", "hotline", "web", "patrol"]),
                text=message["text"][:3900],
                title=message["title"][:120],
                region=region,
                category=category,
                request_type=rng.choice(REQUEST_TYPES),
                reporter_phone=f"1990001{index:04d}",
                is_public=index % 2 == 0,  # half the residents chose to publish a summary
            ).case
        _walk(case, rng, received, dispatchers.get(region.parent_id), message, replies)
        made += 1
        if made % 100 == 0:
            progress(gettext("cases: %(made)s/%(count)s") % {"made": made, "count": count})
    return made


def _summon(case, street_staff, department: Unit, at: datetime, rng: random.Random) -> datetime | None:
    """街乡吹哨、部门报到: the street whistles the department; it reports in 5–40 minutes later (the default
    allowance is 30, so about one in four comes late: the two-way assessment has something to show). The time
    it reported, or None when that is still to come."""
    reporter = RoleAssignment.objects.filter(unit=department).select_related("user").first()
    if reporter is None:
        return at
    with _at(at):
        summons = summons_whistle(
            actor=street_staff, case=case, departments=[department], reason="属地街道牵头处置，需职能部门到场共同解决"
        )
    reported = at + timedelta(minutes=rng.uniform(5, 40))
    if reported > timezone.now():
        return None
    with _at(reported):
        summons_report_in(actor=reporter.user, report_in=summons.report_ins.get(), note="部门已到场，配合街道完成处置")
    return reported


def _owner(case, message: dict) -> Unit | None:
    """Where the dispatcher sends it: the community's committee or the street's office when the duty list in
    force makes it theirs (物业, 邻里纠纷, 楼道卫生, 违建 …), else the district department of the message's real
    label — so the committees carry cases on the load page, as they do in practice."""
    from fuhe.duties.models import OwnerLevel
    from fuhe.routing.services import recommend

    recommendation = recommend(case)
    if recommendation is not None:
        top = recommendation.top
        # a dispatcher follows the list: the committee's or the office's own matters, and any item of the
        # message's own category (a 12345 dispatcher knows it from the caller), e.g. 噪音 → 公安 (GA-01)
        of_category = (
            recommendation.category_used
            and top.item.category_id is not None
            and top.item.category.path.split("/")[0] == case.category.path.split("/")[0]
        )
        if (
            (top.item.owner_level in (OwnerLevel.COMMUNITY, OwnerLevel.STREET) or of_category)
            and top.resolution.unit is not None
            and not top.resolution.is_fallback
        ):
            return top.resolution.unit
    district_low, district_high = case.region.parent.parent.subtree
    return Unit.objects.filter(
        kind="department",
        department_type=LABEL_DEPARTMENT.get(message["label"], ""),
        region_id__gte=district_low,
        region_id__lt=district_high,
    ).first()


def _walk(case, rng: random.Random, received: datetime, dispatcher, message: dict, replies: dict) -> None:
    """Take the case a random but realistic distance along the loop, at realistic times."""
    if dispatcher is None:
        return
    department = _owner(case, message)
    summoned = None  # the department the street summons when it takes the case itself
    if department is not None and department.kind == UnitKind.DEPARTMENT and rng.random() < TERRITORIAL_SHARE:
        office = Unit.objects.filter(
            region_id=case.region.parent_id, kind__in=STREET_KINDS, is_active=True, members__user=dispatcher
        ).first()
        if office is not None:
            department, summoned = office, department
    handler_assignment = RoleAssignment.objects.filter(unit=department).select_related("user").first()
    if department is None or handler_assignment is None:
        return
    handler = dispatcher if summoned is not None else handler_assignment.user
    age = (timezone.now() - received).days
    stage = rng.random()
    try:
        if age < 1 and stage < 0.5:
            return  # still waiting in the queue
        t = received + timedelta(minutes=rng.uniform(10, 120))
        with _at(t):
            case = loop.case_dispatch(actor=dispatcher, case=case, unit=department)
        if stage < 0.06 and summoned is None:
            with _at(t + timedelta(hours=3)):
                loop.case_return(actor=handler, case=case, reason="不属于本部门职责，建议由街道协调")
            return
        t += timedelta(hours=rng.uniform(0.2, 3))
        with _at(t):
            case = loop.case_transition(actor=handler, case=case, action="accept")
            case = loop.case_transition(actor=handler, case=case, action="start")
        if summoned is not None:
            t = _summon(case, handler, summoned, t, rng)
            if t is None:
                return  # the department has not reported in yet
        if age < 6 and stage < 0.4:
            return  # in progress, maybe overdue later
        t += timedelta(days=rng.uniform(0.5, 8))
        if t > timezone.now():
            return
        reply = replies.get(message["title"]) or "经核实，已安排人员现场处置，问题已解决。"
        with _at(t):
            case = loop.case_reply(
                actor=handler, case=case, outcome="resolved" if stage < 0.85 else "explained", text=reply[:3900]
            )
        _rate(case, rng, t, dispatcher, department)
    except IllegalTransition:
        return


def _rate(case, rng: random.Random, replied: datetime, dispatcher, unit: Unit) -> None:
    """The follow-up (回访) of a reply, as it goes: the resident rates on the tracking page (the link in the
    notification) or answers the street's follow-up call — never the handling unit — within the rating window, or
    nobody rates it and the sweep closes it as 未评价 when the window ends. Units that serve worse have more
    unsatisfied residents and more who do not answer."""
    quality = _unit_quality(unit)
    window_end = replied + timedelta(days=settings.FUHE_RATING_WINDOW_DAYS)
    if rng.random() < 0.06 + (1 - quality) * 0.4:  # unreachable, or did not bother: 未评价 once the window ends
        if window_end < timezone.now():
            with _at(window_end + timedelta(minutes=rng.uniform(0, 1))):
                loop.cases_unrated_close()
        return
    rated = replied + timedelta(days=rng.choice((rng.uniform(0.1, 1), rng.uniform(0.5, 6))))
    rated = min(rated, window_end - timedelta(hours=1))  # a shorter configured window: still inside it
    if rated > timezone.now():
        return  # still inside the window: waiting for the rating
    satisfied = rng.random() < quality
    resolved = satisfied or rng.random() < 0.3
    why = [] if satisfied else rng.sample(DEMO_REASONS[resolved], k=rng.choice((1, 1, 2)))
    comment = rng.choice(DEMO_COMMENTS) if why and rng.random() < 0.4 else ""
    by_call = dispatcher is not None and rng.random() < 0.45 and may_record_follow_up(dispatcher, case)
    actor, channel = (dispatcher, "call") if by_call else (None, rng.choice(("tracking", "sms_link")))
    with _at(rated):
        loop.case_rate(
            actor=actor,
            case=case,
            resolved=resolved,
            satisfied=satisfied,
            channel=channel,
            reasons=why,
            comment=comment,
        )
