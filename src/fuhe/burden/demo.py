"""A realistic quarter of tasks sent down by several departments of 和平区 and 蓟州区, through the real gate.

Most tasks are ordinary (a monthly report, a safety inspection with a lead unit and resources, a clean-up
campaign); a known share carries the patterns the flags look for (daily check-ins, photo proof, rankings,
responsibility letters, study-time statistics, the same survey from two departments, one-day deadlines,
weekend deadlines, daily reports, off-catalogue duplicates). Some communities answer their forms (their
answers feed the catalogue) and tap their effort; one acts on a refused task in an emergency.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from fuhe.accounts.models import Role, RoleAssignment
from fuhe.burden import services
from fuhe.burden.catalogue import catalogue_seed
from fuhe.burden.models import BurdenPolicy, DataItem, Task, TaskKind, TaskStatus
from fuhe.burden.services import FieldSpec
from fuhe.cases.services.clocks import work_calendar
from fuhe.org.core.divisions import Level, ancestor_key
from fuhe.org.models import COMMITTEE_KINDS, DepartmentType, Region, Unit, UnitKind
from fuhe.org.regions import district_units

F = FieldSpec


@dataclass(frozen=True)
class Template:
    sender: str  # department type
    title: str
    kind: str
    content: str = ""
    code: str = ""
    evidence: tuple[str, ...] = ()
    recurrence: str = "once"
    fields: tuple[FieldSpec, ...] = ()
    lead: str = ""
    resources: str = ""
    reason: str = ""
    minutes: float | None = None
    days: int = 10  # calendar days from start to deadline
    weekend_due: bool = False
    street: bool = True  # to one street (else to the whole district)
    expected_flags: frozenset[str] = field(default_factory=frozenset)


D = DepartmentType
POP = (F("常住人口", "org.population"), F("户数", "pop.households"), F("网格数", "org.grids"))
ELDERLY = (F("独居老人人数", "pop.elderly_alone"), F("80岁以上老人人数", "pop.elderly_80"))

TEMPLATES: list[Template] = [
    # ordinary, admitted (no flag expected)
    Template(
        D.CIVIL_AFFAIRS,
        "社区基本情况季度统计",
        TaskKind.FORM,
        "按一表通目录报送社区基本情况。",
        "SQ-02",
        fields=(
            *POP,
            *ELDERLY,
            F("低保户数", "pop.low_income"),
            F("残疾人人数", "pop.disabled"),
            F("近90天诉求件数", "cases.total"),
            F("养老服务站点数", "fac.service_points"),
        ),
    ),
    Template(
        D.HUMAN_RESOURCES,
        "居民医保参保情况统计",
        TaskKind.FORM,
        "统计本社区居民医保参保情况。",
        "LD-01",
        lead="区人力资源和社会保障局",
        resources="每社区工作经费1000元，业务指导1人",
        fields=(*POP, F("劳动和社会保障类诉求件数", "cases.social"), F("流动人口数", "pop.floating"), F("未参保人数")),
    ),
    Template(
        D.HUMAN_RESOURCES,
        "就业困难人员摸排",
        TaskKind.INSPECTION,
        "对就业困难人员入户了解需求。",
        "LD-04",
        lead="区人力资源和社会保障局",
        resources="购买服务人员2名，经费5000元",
        minutes=240,
        days=20,
    ),
    Template(
        D.EMERGENCY,
        "汛前安全隐患排查",
        TaskKind.INSPECTION,
        "对老旧小区、地下空间开展汛前排查。",
        "CJ-01",
        lead="区应急管理局",
        resources="派驻安全员1名，排查经费3000元",
        minutes=180,
        days=14,
    ),
    Template(
        D.URBAN_MANAGEMENT,
        "楼道堆物清理行动",
        TaskKind.CAMPAIGN,
        "组织清理楼道堆物，恢复消防通道。",
        "SQ-04",
        recurrence="weekly",
        minutes=300,
        days=5,
    ),
    Template(
        D.HOUSING,
        "物业服务矛盾排查月报",
        TaskKind.FORM,
        "每月报送物业服务矛盾排查情况。",
        "SQ-01",
        recurrence="monthly",
        fields=(
            F("老旧电梯数", "fac.elevators"),
            F("小区停车位数", "fac.parking"),
            F("城乡建设类诉求件数", "cases.construction"),
            F("本月调处件数"),
        ),
    ),
    Template(
        D.CIVIL_AFFAIRS,
        "邻里纠纷调解工作会",
        TaskKind.MEETING,
        "各社区调解员参加季度工作会。",
        "SQ-02",
        minutes=120,
        days=7,
    ),
    Template(
        D.ECOLOGY,
        "垃圾分类投放点核查",
        TaskKind.FORM,
        "核实垃圾分类投放点数量。",
        "SQ-04",
        fields=(F("垃圾分类投放点数", "fac.garbage_points"), F("环境保护类诉求件数", "cases.environment")),
    ),
    # approved after a written application
    Template(
        D.HEALTH,
        "重点人群健康服务需求调查",
        TaskKind.FORM,
        "了解重点人群健康服务需求。",
        reason="落实基本公共卫生服务项目，区卫健委提供经费与培训",
        fields=(*ELDERLY, F("残疾人人数", "pop.disabled")),
    ),
    # refused at the gate
    Template(D.PUBLIC_SECURITY, "出具居民居住证明", TaskKind.OTHER, "请各社区为居民出具居住证明。", "SQ-03"),
    Template(D.MARKET_REGULATION, "食品安全宣传进社区", TaskKind.CAMPAIGN, "在社区开展食品安全宣传。", "SM-04"),
    Template(
        D.HUMAN_RESOURCES,
        "职业技能培训动员",
        TaskKind.CAMPAIGN,
        "动员居民参加技能培训。",
        "LD-04",
        lead="区人力资源和社会保障局",
    ),
    # patterns the flags look for
    Template(
        D.URBAN_MANAGEMENT,
        "创文巡查每日打卡",
        TaskKind.CHECK_IN,
        "网格员每日上路巡查并打卡，上传工作照片。",
        "SQ-04",
        evidence=("check_in", "photo"),
        recurrence="daily",
        days=0,
        expected_flags=frozenset({"trace_evidence", "forbidden_metric", "frequent_recurrence", "short_deadline"}),
    ),
    Template(
        D.ECOLOGY,
        "环境整治工作留痕材料",
        TaskKind.FORM,
        "报送环境整治台账，附整治前后照片。",
        "SQ-04",
        evidence=("photo", "ledger"),
        fields=(F("整治点位数"),),
        expected_flags=frozenset({"trace_evidence"}),
    ),
    Template(
        D.HEALTH,
        "创卫工作社区排名通报",
        TaskKind.RANKING,
        "按月对各社区创卫工作打分，通报排名。",
        reason="创卫迎检需要",
        recurrence="monthly",
        expected_flags=frozenset({"ranking"}),
    ),
    Template(
        D.EMERGENCY,
        "安全生产责任书签订",
        TaskKind.PLEDGE,
        "各社区与街道签订安全生产责任书。",
        "CJ-01",
        lead="区应急管理局",
        resources="安全员1名",
        expected_flags=frozenset({"pledge"}),
    ),
    Template(
        D.CIVIL_AFFAIRS,
        "社区干部学习时长统计",
        TaskKind.FORM,
        "统计社区干部理论学习平台学习时长。",
        evidence=("study_time",),
        fields=(F("人均学习时长"),),
        expected_flags=frozenset({"forbidden_metric"}),
    ),
    Template(
        D.MARKET_REGULATION,
        "政务APP安装率报送",
        TaskKind.FORM,
        "报送辖区居民政务APP安装率和注册率。",
        evidence=("app_install",),
        fields=(F("安装人数"),),
        expected_flags=frozenset({"forbidden_metric"}),
    ),
    Template(
        D.HEALTH,
        "老年人健康管理摸底",
        TaskKind.FORM,
        "摸底老年人健康管理情况。",
        reason="家庭医生签约服务需要",
        fields=(F("独居老人"), F("高龄老人"), F("已签约人数")),
        expected_flags=frozenset({"duplicate_collection"}),
    ),
    Template(
        D.CIVIL_AFFAIRS,
        "独居老人基本信息摸排",
        TaskKind.INSPECTION,
        "请各社区对辖区独居老人逐户走访摸排，登记基本信息和生活状况。",
        "SQ-02",
        minutes=180,
    ),
    Template(
        D.HEALTH,
        "独居老人基本信息摸排（卫健）",
        TaskKind.INSPECTION,
        "请各社区对辖区独居老人逐户走访摸排，登记基本信息和生活状况。",
        "SQ-02",
        minutes=180,
        expected_flags=frozenset({"same_content"}),
    ),
    Template(
        D.HOUSING,
        "汛前房屋安全紧急排查",
        TaskKind.INSPECTION,
        "明日下班前报送房屋安全排查结果。",
        "CJ-01",
        lead="区住房和建设委员会",
        resources="专业人员2名",
        days=1,
        minutes=120,
        expected_flags=frozenset({"short_deadline"}),
    ),
    Template(
        D.URBAN_MANAGEMENT,
        "周末市容整治",
        TaskKind.CAMPAIGN,
        "开展周末市容环境整治。",
        "SQ-04",
        weekend_due=True,
        minutes=240,
        expected_flags=frozenset({"rest_day_deadline"}),
    ),
    Template(
        D.WATER,
        "防汛物资日报",
        TaskKind.FORM,
        "每日报送防汛物资储备。",
        "CJ-01",
        lead="区水务局",
        resources="防汛物资与经费",
        recurrence="daily",
        days=1,
        fields=(F("沙袋数量"), F("抽水泵数量")),
        expected_flags=frozenset({"frequent_recurrence", "short_deadline"}),
    ),
]


CAMPAIGN = Template(
    D.URBAN_MANAGEMENT,
    "创建全国文明城区常态化迎检",
    TaskKind.CAMPAIGN,
    "迎检期间社区工作人员全员上路，负责点位值守、环境整治和入户宣传。",
    reason="全国文明城区测评迎检，区文明委统一部署，经费随事转",
    recurrence="weekly",
    minutes=2100,
    days=5,
)


def _issue(
    template: Template,
    district: Region,
    street: Region,
    round_number: int,
    office: Unit | None,
    quarter_start,
    weeks: int,
    rng: random.Random,
    calendar,
) -> int:
    sender = _department(district, template.sender)
    if sender is None:
        return 0
    if template.title.startswith("独居老人基本信息摸排"):  # the same survey from two departments, two days apart
        offset = 30 + (2 if template.expected_flags else 0)
    elif template.reason and template is not CAMPAIGN:
        # applications come 30+ working days ahead, so these tasks run later in the quarter (and the application
        # falls in it: the audit report of the quarter shows them); the 迎检 campaign was approved before it
        offset = rng.randrange(50, weeks * 7 - 14)
    elif template.recurrence != "once":
        offset = rng.randrange(0, 7)
    else:
        offset = rng.randrange(0, weeks * 7 - 21)
    start = _start_of(quarter_start + timedelta(days=offset), calendar)
    applied = start - timedelta(days=48) if template.reason else start
    task = services.task_issue(
        actor=_handler(sender),
        sender=sender,
        title=template.title + ("" if round_number == 1 else "（二次）"),
        kind=template.kind,
        content=template.content,
        target_region=street,
        duty_item_code=template.code if _has_item(street, template.code) else "",
        lead_unit_name=template.lead,
        resources=template.resources,
        approval_reason=template.reason,
        starts_at=start,
        due_at=_due(start, template, calendar),
        recurrence=template.recurrence,
        recurrence_until=timezone.localdate() if template.recurrence != "once" else None,
        evidence=template.evidence,
        fields=template.fields,
        effort_minutes=template.minutes,
        now=applied,
        duty_list_at=timezone.now(),
        check_sender=False,
    )
    if task.status == TaskStatus.PENDING_APPROVAL and office is not None and _first_member(office) is not None:
        approve = rng.random() < 0.85 or template is CAMPAIGN
        services.task_decide(
            actor=_first_member(office),
            task=task,
            approve=approve,
            reason="经减负办审核：确需社区协助，经费随事转。",
            now=applied + timedelta(days=7),
        )
    return 1


def _department(district: Region, department_type: str) -> Unit | None:
    return (
        district_units(region_id=district.pk, level=district.level, active_only=False)
        .filter(kind=UnitKind.DEPARTMENT, department_type=department_type)
        .order_by("pk")
        .first()
    )


def _handler(unit: Unit):
    assignment = RoleAssignment.objects.filter(unit=unit, role=Role.DEPARTMENT_HANDLER).select_related("user").first()
    return assignment.user if assignment else None


def _ensure_duty_list(progress: Callable[[str], None]) -> None:
    """The demo's duty list, through the duties app's own service, when none is in force yet."""
    from fuhe.duties.selectors import duty_list_in_force

    district = Region.objects.filter(level=Level.DISTRICT).order_by("id").first()
    if district is None or duty_list_in_force(region_id=district.pk) is not None:
        return
    try:
        from fuhe.duties.services import duty_list_seed_demo

        city = Region.objects.get(pk=ancestor_key(district.pk, Level.CITY))  # the district's city
        duty_list_seed_demo(
            actor=None, region=city, taxonomy_path=settings.FUHE_SHARED_DATA / "messages" / "taxonomy.csv"
        )
        progress(gettext("burden: seeded the demo duty list"))
    except Exception as exc:  # the duties app is young; without a list every task is simply "unlisted"
        progress(gettext("burden: no duty list (%(error)s); tasks will be checked as unlisted") % {"error": exc})


MIN_WORKING_DAYS = 3  # the policy's default shortest deadline


def _start_of(day, calendar) -> datetime:
    while not calendar.is_workday(day):
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


def _due(start: datetime, template: Template, calendar) -> datetime:
    day = timezone.localtime(start).date()
    if template.weekend_due:  # a rest day far enough ahead that the deadline is not also too short
        first = day
        day += timedelta(days=5)
        while calendar.is_workday(day) or calendar.working_days_between(first, day) < MIN_WORKING_DAYS:
            day += timedelta(days=1)
    elif template.days <= 1:
        day += timedelta(days=template.days)
        while template.days and not calendar.is_workday(day):
            day += timedelta(days=1)
    else:
        # at least the flag threshold of working days (a holiday week lengthens it), ending on a working day
        first = day
        day += timedelta(days=template.days)
        while not calendar.is_workday(day) or calendar.working_days_between(first, day) < MIN_WORKING_DAYS:
            day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(17, 30)))


@transaction.atomic
def burden_demo_build(
    *,
    weeks: int = 13,
    seed: int = 2026,
    progress: Callable[[str], None] | None = None,
    district_names: Sequence[str] | None = None,
) -> int:
    """Build the quarter (idempotent: nothing happens when tasks exist). Returns the number of tasks.
    ``district_names`` limits it to some districts (the tests build 和平区 only)."""
    progress = progress or (lambda message: None)
    if Task.objects.exists():
        return 0
    rng = random.Random(seed)
    _ITEM_CACHE.clear()  # answers of an earlier build (another database) do not hold here
    catalogue_seed()
    _ensure_duty_list(progress)
    calendar = work_calendar()
    now = timezone.now()
    quarter_start = timezone.localdate() - timedelta(weeks=weeks)
    districts = list(
        Region.objects.filter(level=Level.DISTRICT, units__kind=UnitKind.DISTRICT_GOVERNMENT).distinct().order_by("id")
    )
    if district_names is not None:
        districts = [district for district in districts if district.name in district_names]
    _earlier_values(rng, quarter_start, districts)
    created = 0
    for district in districts:
        office = _department(district, D.BURDEN_OFFICE)
        BurdenPolicy.objects.get_or_create(region=district, defaults={"approval_unit": office})
        streets = list(Region.objects.filter(parent=district, level=Level.STREET).order_by("id"))
        is_urban = district.name == "和平区"
        # 和平区 is small and dense: every street gets the whole set; its busiest street a second round of the
        # ordinary tasks and a quarter-long "全员上路" inspection campaign (迎检): the overload the paper describes
        rounds = (
            [(street, 1) for street in streets]
            if is_urban
            else [(street, 1) for street in rng.sample(streets, min(6, len(streets)))]
        )
        if is_urban and streets:
            rounds.append((streets[0], 2))
        for street, round_number in rounds:
            # the second round repeats the ordinary tasks (not the survey two departments send: that one is
            # meant to be flagged once, on the department that sends it second)
            templates = (
                TEMPLATES
                if round_number == 1
                else [
                    t for t in TEMPLATES if not t.expected_flags and not t.reason and not t.title.startswith("独居老人")
                ]
                + [CAMPAIGN]
            )
            for template in templates:
                created += _issue(template, district, street, round_number, office, quarter_start, weeks, rng, calendar)
        progress(
            gettext("burden: %(district)s: %(count)s tasks so far") % {"district": district.name, "count": created}
        )
    _refresh_statistics()
    _answer_some_forms(rng, now)
    _one_emergency(now)
    return created


def _first_member(unit: Unit):
    assignment = RoleAssignment.objects.filter(unit=unit).select_related("user").first()
    return assignment.user if assignment else None


_ITEM_CACHE: dict[tuple[int, str], bool] = {}


def _has_item(region: Region, code: str) -> bool:
    from fuhe.duties.selectors import duty_list_in_force

    if not code:
        return False
    key = (ancestor_key(region.pk, Level.DISTRICT), code)
    if key not in _ITEM_CACHE:
        duty_list = duty_list_in_force(region_id=region.pk)
        _ITEM_CACHE[key] = bool(duty_list and duty_list.items.filter(code=code).exists())
    return _ITEM_CACHE[key]


FORM_VALUES = {
    "org.population": (2000, 12000),
    "pop.households": (800, 4000),
    "pop.elderly_alone": (10, 120),
    "pop.elderly_80": (40, 400),
    "pop.low_income": (5, 80),
    "pop.disabled": (20, 200),
    "pop.floating": (50, 900),
    "fac.service_points": (1, 4),
    "fac.elevators": (0, 40),
    "fac.parking": (100, 1500),
    "fac.garbage_points": (4, 30),
}
EARLIER_ITEMS = (
    "org.population",
    "pop.households",
    "pop.elderly_80",
    "pop.disabled",
    "fac.service_points",
    "fac.elevators",
    "fac.parking",
    "fac.garbage_points",
    "pop.elderly_alone",
    "pop.low_income",
)


def _earlier_values(rng: random.Random, quarter_start, districts: list[Region]) -> None:
    """What the committees reported before the quarter (last year's 社区基本情况 ledger), so the catalogue holds
    most of what the quarter's forms ask; values past their validity period are asked again."""
    from fuhe.burden.models import DataSource, DataValue

    items = dict(DataItem.objects.filter(code__in=EARLIER_ITEMS).values_list("code", "pk"))
    units = []
    for district in districts:
        units += (
            district_units(region_id=district.pk, level=district.level, active_only=False)
            .filter(kind__in=COMMITTEE_KINDS)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    values = []
    for unit_id in units:
        if rng.random() > 0.8:  # a few committees are new, or never reported
            continue
        as_of = timezone.make_aware(datetime.combine(quarter_start - timedelta(days=rng.randrange(10, 60)), time(16)))
        for code, item_id in items.items():
            low, high = FORM_VALUES[code]
            values.append(
                DataValue(
                    item_id=item_id,
                    unit_id=unit_id,
                    value=str(rng.randint(low, high)),
                    as_of=as_of,
                    source=DataSource.SUBMISSION,
                )
            )
    DataValue.objects.bulk_create(values, batch_size=2000)


def _refresh_statistics() -> None:
    """PostgreSQL plans from table statistics, which know nothing yet of the rows this build just wrote in its
    own transaction: with none, joining the quarter's targets to their tasks took minutes instead of
    milliseconds. ANALYZE inside the transaction sees them. (SQLite plans without statistics here.)"""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE burden_task, burden_tasktarget, burden_formfield, burden_datavalue, org_unit, "
                "org_region, accounts_roleassignment"
            )


def _answer_some_forms(rng: random.Random, now: datetime) -> None:
    """Two in three receiving committees answer their admitted forms, leaving the prefilled values as they are
    (that confirms them) and entering the rest; half tap their effort."""
    from fuhe.burden.catalogue import prefill_for
    from fuhe.burden.models import TaskTarget

    targets = (
        TaskTarget.objects.filter(
            task__kind=TaskKind.FORM, task__status__in=["admitted", "admitted_assisting", "approved"]
        )
        .select_related("task", "unit", "unit__region")
        .order_by("task__starts_at", "task_id", "pk")
    )
    by_task: dict[int, list] = {}
    for target in targets:
        if rng.random() <= 0.66:
            by_task.setdefault(target.task_id, []).append(target)
    members = _first_members({t.unit_id for answering in by_task.values() for t in answering})
    for answering in by_task.values():
        task = answering[0].task
        answered_at = min(task.due_at - timedelta(hours=2), now)
        fields = list(task.fields.select_related("item"))
        items = [f.item for f in fields if f.item is not None]
        known = prefill_for([t.unit for t in answering], items, answered_at) if items else {}
        for target in answering:
            prefilled = {p.item_code for p in known.get(target.unit_id, []) if p.is_prefilled}
            answers = {}
            for form_field in fields:
                code = form_field.item.code if form_field.item else ""
                if code not in prefilled:
                    low, high = FORM_VALUES.get(code, (0, 50))
                    answers[form_field.pk] = str(rng.randint(low, high))
            minutes = round(target.estimated_minutes * rng.uniform(0.7, 1.6)) if rng.random() < 0.5 else None
            services.form_submit(
                actor=members.get(target.unit_id),
                target=target,
                answers=answers,
                minutes=minutes,
                now=answered_at,
                check_member=False,
            )


def _first_members(unit_ids: set[int]) -> dict:
    members: dict = {}
    for assignment in RoleAssignment.objects.filter(unit_id__in=sorted(unit_ids)).select_related("user").order_by("pk"):
        members.setdefault(assignment.unit_id, assignment.user)
    return members


def _one_emergency(now: datetime) -> None:
    from fuhe.burden.models import TaskTarget

    target = (
        TaskTarget.objects.filter(task__status=TaskStatus.REFUSED, task__title="食品安全宣传进社区")
        .select_related("unit")
        .first()
    )
    if target is None:
        return
    member = _first_member(target.unit)
    bypass = services.bypass_declare(
        actor=member,
        target=target,
        emergency="辖区发生食品中毒事件，需立即入户宣传",
        now=now - timedelta(days=20),
        check_member=False,
    )
    services.bypass_file(
        actor=member,
        bypass=bypass,
        explanation="事件紧急，先行开展宣传，已向减负办备案。",
        now=now - timedelta(days=19),
        check_member=False,
    )
    second = (
        TaskTarget.objects.filter(task__status=TaskStatus.REFUSED, task__title="出具居民居住证明")
        .select_related("unit")
        .first()
    )
    if second is not None:
        services.bypass_declare(
            actor=_first_member(second.unit),
            target=second,
            emergency="疫情封控期间居民急需证明",
            now=now - timedelta(days=10),
            check_member=False,
        )
