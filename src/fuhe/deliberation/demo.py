"""Demo deliberation: a residents' council of the demo community and its household register, a topic from its
cases, a meeting with quorum, a resolution bound to a case; proposals (one supported with an assisted vote, one
rejected with its reason); a village matter of the demo village through 四议两公开 with both publications, and one
under way.

Works on a database where the core demo is built (hp-community, hp-dispatcher, hp-grid, hp-resident, jz-dispatcher);
idempotent: a second run finds the council and stops."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.cases.models import Case
from fuhe.deliberation import services
from fuhe.deliberation.core.procedure import ORDER, Step
from fuhe.deliberation.models import Body, BodyKind, ItemKind, ResidentVerification
from fuhe.org.models import Region, RegionKind

COUNCIL_SUFFIX = "居民议事会"
#: demo residents: (name, year of birth, 17th digit parity: odd male / even female)
DEMO_RESIDENTS = [
    ("王秀兰", 1948, 2),
    ("李建国", 1952, 1),
    ("张桂英", 1957, 4),
    ("刘志强", 1966, 3),
    ("陈丽", 1975, 6),
    ("杨帆", 1983, 5),
    ("赵敏", 1990, 8),
    ("孙浩", 1994, 7),
    ("周静", 1999, 0),
]


def _home(username: str) -> Region:
    return RoleAssignment.objects.select_related("region").filter(user__username=username).first().region


def _residents(community: Region, grid: Region) -> list[User]:
    people = []
    for n, (name, year, parity) in enumerate(DEMO_RESIDENTS):
        username = f"hp-yishi-{n + 1}"
        person, created = User.objects.get_or_create(
            username=username,
            defaults={"display_name": name, "id_number": f"{community.code[:6]}{year}0315{n:02d}{parity}X"},
        )
        if created:
            person.set_unusable_password()
            person.save(update_fields=["password"])
            RoleAssignment.objects.create(user=person, role=Role.RESIDENT, region=grid)
        people.append(person)
    return people


def _council(community_worker: User, community: Region, members: list[User]) -> Body:
    committee = RoleAssignment.objects.filter(user=community_worker, unit__isnull=False).first().unit
    body = services.body_create(
        actor=community_worker,
        name=f"{community.name}{COUNCIL_SUFFIX}",
        kind=BodyKind.RESIDENTS_COUNCIL,
        region=community,
        convener=committee,
    )
    for person in members:
        services.body_member_add(actor=community_worker, body=body, person=person)
        if not ResidentVerification.objects.filter(user=person, region=community).exists():
            services.resident_verify(actor=community_worker, person=person, region=community)
    return body


def _register(worker: User, community: Region) -> None:
    """The community's household register as the police station would export it (a title line, then one row per
    person with household number, name and ID number), imported through the same service as an upload: every
    resident of the community with an ID number on file is in it."""
    low, high = community.subtree
    people = (
        User.objects.filter(roles__role=Role.RESIDENT, roles__region_id__gte=low, roles__region_id__lt=high)
        .exclude(id_number="")
        .distinct()
        .order_by("pk")
    )
    lines = [f"{community.name}户籍名册", "户号,姓名,公民身份号码"]
    lines += [f"{n:04d},{person.display_name},{person.id_number}" for n, person in enumerate(people, start=1)]
    services.household_register_import(
        actor=worker, region=community, file="\n".join(lines).encode(), filename=f"{community.name}户籍名册.csv"
    )


def _meeting(worker: User, dispatcher: User, body: Body, members: list[User]) -> None:
    community = body.region
    low, high = community.subtree
    evidence = list(Case.objects.filter(region_id__gte=low, region_id__lt=high).order_by("-created_at")[:4])
    topic = services.topic_raise(
        actor=worker,
        title="小区环境秩序反复投诉",
        description="近三个月本社区同类诉求集中，提请居民议事会协商解决办法。",
        region=community,
        case_ids=[case.pk for case in evidence],
    )
    services.topic_raise(actor=members[3], title="楼门口增设休息座椅", region=community)
    meeting = services.meeting_schedule(
        actor=worker,
        body=body,
        title="季度居民议事会",
        starts_at=timezone.now() - timedelta(hours=2),
        place="社区党群服务中心二楼",
        topics=[topic],
    )
    services.meeting_invite(actor=worker, meeting=meeting)
    services.attendance_record(actor=worker, meeting=meeting, people=members[:7])
    services.minutes_save(
        actor=worker, meeting=meeting, text="到会成员7人，超过半数。经协商，同意由社区居委会牵头开展环境整治。"
    )
    resolution = services.resolution_adopt(
        actor=worker,
        meeting=meeting,
        agenda_item=meeting.agenda.get(),
        text="一个月内开展楼道和公共区域环境整治，由社区居委会牵头，物业配合。",
        in_favour=6,
        against=0,
        abstaining=1,
    )
    committee = body.convener
    services.resolution_item_bind(
        actor=dispatcher,
        resolution=resolution,
        kind=ItemKind.CASE,
        title="楼道和公共区域环境整治",
        owner=committee,
        due_at=timezone.now() + timedelta(days=30),
    )


def _proposals(worker: User, grid_worker: User, body: Body, members: list[User]) -> None:
    charging = services.proposal_submit(
        actor=members[4],
        body=body,
        title="增设电动自行车集中充电桩",
        text="楼道内私拉电线充电有火灾隐患，建议在小区空地增设集中充电桩。",
    )
    services.proposal_comment(actor=members[5], proposal=charging, text="赞成，最好带遮雨棚。")
    services.proposal_feasibility(
        actor=worker, proposal=charging, note="空地权属清楚，可由社区申请专项经费，预计费用约2万元。"
    )
    services.proposal_vote(actor=members[5], proposal=charging)
    services.proposal_vote(actor=members[6], proposal=charging)
    services.proposal_vote(actor=grid_worker, proposal=charging, voter=members[0])  # an elder, assisted
    rooftop = services.proposal_submit(
        actor=members[7], body=body, title="屋顶改建为菜园", text="利用楼顶平台种菜，方便老人活动。"
    )
    services.proposal_reject(
        actor=worker, proposal=rooftop, reason="经房管部门评估，楼顶承重和防水不满足要求，存在安全隐患。"
    )


def _village(dispatcher: User, village: Region) -> None:
    paved = services.village_matter_create(
        actor=dispatcher, title="村内主干道硬化工程", region=village, description="硬化村内主干道1.2公里，宽4米。"
    )
    today = timezone.localdate()
    contents = {
        Step.PROPOSAL: "村党支部提议实施主干道硬化。",
        Step.CONSULTATION: "村两委联席会议商议，形成实施方案和资金测算。",
        Step.REVIEW: "党员大会审议通过实施方案。",
        Step.DECISION: "村民代表会议表决：应到35人，实到31人，同意29人。",
        Step.DECISION_PUBLISHED: "决议在村务公开栏和村微信群公示7天。",
        Step.RESULTS_PUBLISHED: "工程已完工验收，实际支出38.6万元，明细公开。",
    }
    counts = {Step.PROPOSAL: 5, Step.CONSULTATION: 9, Step.REVIEW: 42, Step.DECISION: 31}
    for n, step in enumerate(ORDER):
        services.village_step_record(
            actor=dispatcher,
            matter=paved,
            step=step,
            held_on=today - timedelta(days=60 - n * 10),
            participants="村党支部、村两委、党员、村民代表",
            participant_count=counts.get(step, 3),
            content=contents[step],
        )
    lights = services.village_matter_create(actor=dispatcher, title="村内安装太阳能路灯", region=village)
    for n, step in enumerate(ORDER[:2]):
        services.village_step_record(
            actor=dispatcher,
            matter=lights,
            step=step,
            held_on=today - timedelta(days=6 - n * 3),
            participants="村党支部委员、村两委成员",
            participant_count=7,
            content="提议并商议安装60盏太阳能路灯。",
        )


@transaction.atomic
def demo_deliberation_build(*, progress: Callable[[str], None] | None = None) -> None:
    """Build the demo's deliberation (idempotent)."""
    say = progress or (lambda _message: None)
    worker = User.objects.get(username="hp-community")
    community = _home("hp-community")
    if Body.objects.filter(region=community, name__endswith=COUNCIL_SUFFIX).exists():
        say(gettext("deliberation: already built"))
        return
    grid_worker = User.objects.get(username="hp-grid")
    grid = _home("hp-grid")
    dispatcher = User.objects.get(username="hp-dispatcher")
    members = _residents(community, grid)
    body = _council(worker, community, members)
    _register(worker, community)
    say(gettext("deliberation: council formed, household register imported"))
    _meeting(worker, dispatcher, body, members)
    _proposals(worker, grid_worker, body, members)
    jz_dispatcher = User.objects.get(username="jz-dispatcher")
    village = _home("jz-community")
    if village.kind != RegionKind.URBAN:
        _village(jz_dispatcher, village)
    say(gettext("deliberation: meetings, proposals and village matters built"))
