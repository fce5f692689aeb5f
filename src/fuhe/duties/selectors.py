"""Reads of the duty list, scoped: which lists a user sees, the list in force for a place and moment,
the unit that owns a matter in *that* place, and the overlap/gap report."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_noop

from fuhe.accounts.scope import scope_for
from fuhe.duties.core.analysis import Gap, ItemFacts, Overlap, gaps, overlaps
from fuhe.duties.models import DutyItem, DutyList, ListStatus, OwnerLevel
from fuhe.org.core.divisions import Level, ancestor_key, ancestor_keys, level_depth, subtree_range
from fuhe.org.models import COMMITTEE_KINDS, STREET_KINDS, Region, Unit, UnitKind
from fuhe.org.regions import district_units, key_ranges_q

#: the levels a duty list is imported for
LIST_LEVELS = (Level.PROVINCE, Level.CITY, Level.DISTRICT)


def _overlaps_scope(region: Region, ranges) -> bool:
    low, high = region.subtree
    return any(low <= a < high or a <= region.id < b for a, b in ranges)


def duty_list_queryset(user) -> QuerySet[DutyList]:
    """Lists that apply somewhere in the user's scope (staff only; residents see none)."""
    scope = scope_for(user)
    if scope.is_global:
        return DutyList.objects.all()
    if scope.user_id is None or not scope.ranges:
        return DutyList.objects.none()
    ids = [d.pk for d in DutyList.objects.select_related("region") if _overlaps_scope(d.region, scope.ranges)]
    return DutyList.objects.filter(pk__in=ids)


def duty_list_list(*, user) -> QuerySet[DutyList]:
    return duty_list_queryset(user).select_related("region", "created_by").order_by("region_id", "-version")


def duty_list_get(*, user, list_id) -> DutyList:
    try:
        return duty_list_queryset(user).select_related("region").get(pk=int(list_id))
    except (DutyList.DoesNotExist, TypeError, ValueError):
        raise Http404("No such duty list") from None


def duty_list_region_queryset(user) -> QuerySet[Region]:
    """Regions in the user's scope a duty list may be imported for: provinces, cities and districts."""
    return Region.objects.filter(scope_for(user).region_q("id"), level__in=LIST_LEVELS)


def duty_list_region_choices(*, user, limit: int = 200) -> list[tuple[int, str]]:
    """``(key, name)`` of the regions offered on the import form, in key order."""
    return [(region.pk, region.name) for region in duty_list_region_queryset(user).order_by("id")[:limit]]


def duty_list_region_get(*, user, region_id) -> Region:
    """A region the user may import a duty list for; the same 404 whether it is missing or out of scope."""
    try:
        return duty_list_region_queryset(user).get(pk=int(region_id))
    except (Region.DoesNotExist, TypeError, ValueError):
        raise Http404("No such region") from None


def duty_item_get(*, user, duty_list: DutyList, item_id) -> DutyItem:
    """An item of ``duty_list`` when the list is in the user's scope; the same 404 for a missing item, an item
    of another list and a list out of scope."""
    scope = scope_for(user)
    # the list's scope as ``duty_list_queryset`` decides it, without reading every list again
    in_scope = scope.is_global or (scope.user_id is not None and _overlaps_scope(duty_list.region, scope.ranges))
    try:
        item = duty_list.items.get(pk=int(item_id)) if in_scope else None
    except (DutyItem.DoesNotExist, TypeError, ValueError):
        item = None
    if item is None:
        raise Http404("No such item")
    return item


def duty_list_in_force(*, region_id: int | None, at=None) -> DutyList | None:
    """The most specific list whose region contains ``region_id`` and which was in force at ``at`` (now)."""
    return duty_lists_in_force(region_ids=[region_id], at=at).get(region_id)


def duty_lists_in_force(*, region_ids, at=None) -> dict[int | None, DutyList | None]:
    """``duty_list_in_force`` for several regions with one query (the background worker routes batches)."""
    at = at or timezone.now()
    regions = {region_id for region_id in region_ids if region_id is not None}
    found: dict[int | None, DutyList | None] = dict.fromkeys(region_ids)
    if not regions:
        return found
    # only lists of the regions containing these can apply: their keys are the ancestor keys (a few rows
    # read, however many lists and retired versions other places hold)
    keys = {key for region_id in regions for key in ancestor_keys(region_id, Level.GRID)} | regions
    candidates = list(
        DutyList.objects.filter(
            region_id__in=sorted(keys), status__in=[ListStatus.ACTIVE, ListStatus.RETIRED], effective_from__lte=at
        )
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=at))
        .select_related("region")
    )
    for region_id in regions:
        containing = [d for d in candidates if d.region.contains(region_id)]
        found[region_id] = max(containing, key=lambda d: (level_depth(d.region.level), d.effective_from), default=None)
    return found


def duty_items_search(
    *, duty_list: DutyList, query: str = "", level: str = "", admission: str = "", department: str = ""
) -> QuerySet[DutyItem]:
    items = duty_list.items.select_related("category")
    if query:
        query = query.strip()
        items = items.filter(
            Q(code__icontains=query)
            | Q(matter__contains=query)
            | Q(basis__contains=query)
            | Q(keywords__icontains=query)
            | Q(category__path__contains=query)
        )
    if level == "none":
        items = items.filter(owner_level="")
    elif level:
        items = items.filter(owner_level=level)
    if admission:
        items = items.filter(admission=admission)
    if department:
        items = items.filter(Q(lead_department_type=department) | Q(assisting_department_types__icontains=department))
    return items


# --- who owns a matter here --------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolution:
    unit: Unit | None
    how: str  # an English sentence for the explanation
    is_fallback: bool = False


def _first_unit(memo: dict | None, key: tuple, query) -> Unit | None:
    """``query().first()``, remembered in ``memo`` under ``key`` when a memo is given (routing a batch)."""
    if memo is None:
        return query().first()
    if key not in memo:
        memo[key] = query().first()
    return memo[key]


#: the sentence of a fallback to the district government; every ``how`` is an English msgid kept as data (the routing
#: record stores it), so a page translates it when it shows it (``resolution_text``)
FALLBACK_HOW = gettext_noop("%(why)s; the district government takes it")


def resolution_text(how: str) -> str:
    """A stored ``Resolution.how`` in the reader's language (the fallback sentence is translated in its parts)."""
    from django.utils.translation import gettext

    head, separator, _tail = how.partition("; the district government takes it")
    if separator:
        return gettext(FALLBACK_HOW) % {"why": gettext(head)}
    return gettext(how)


def _fallback(region: Region, why: str, memo: dict | None = None) -> Resolution:
    government = None
    if level_depth(region.level) >= level_depth(Level.DISTRICT):
        government = _first_unit(
            memo,
            ("government", ancestor_key(region.id, Level.DISTRICT)),
            lambda: district_units(region_id=region.id).filter(kind=UnitKind.DISTRICT_GOVERNMENT),
        )
    if government is not None:
        return Resolution(government, FALLBACK_HOW % {"why": why}, True)
    return Resolution(None, why, True)


def owner_unit_resolve(item: DutyItem, region: Region | None, *, memo: dict | None = None) -> Resolution:
    """The unit that owns ``item`` where ``region`` lies: the department of *that* district, the office of
    *that* street, the committee of *that* community. Falls back to the district government (兜底).

    ``memo``: a dict shared by the calls of one batch (cases routed together), so that each unit is looked up
    once per batch; units can change between batches, so never keep it longer."""
    if region is None:
        return Resolution(None, gettext_noop("the case has no region"))
    depth = level_depth(region.level)
    if not item.owner_key:
        return _fallback(region, gettext_noop("the duty list names no lead for this matter"), memo)
    if depth < level_depth(Level.DISTRICT):
        return Resolution(None, gettext_noop("the case is not placed in a district"))
    if item.owner_level == OwnerLevel.DISTRICT:
        # the queries are built only when the memo has no answer: building one costs more than the look-up
        district = ancestor_key(region.id, Level.DISTRICT)
        if item.lead_department_type:
            unit = _first_unit(
                memo,
                ("department", district, item.lead_department_type),
                lambda: (
                    district_units(region_id=region.id)
                    .filter(kind=UnitKind.DEPARTMENT, department_type=item.lead_department_type)
                    .order_by("region_id", "pk")
                ),
            )
            how = gettext_noop("the district's department of this type")
        else:
            unit = _first_unit(
                memo,
                ("government", district),
                lambda: district_units(region_id=region.id).filter(kind=UnitKind.DISTRICT_GOVERNMENT),
            )
            how = gettext_noop("the district government")
        return (
            Resolution(unit, how)
            if unit
            else _fallback(region, gettext_noop("this district has no such department"), memo)
        )
    if item.owner_level == OwnerLevel.STREET or depth < level_depth(Level.COMMUNITY):
        if depth < level_depth(Level.STREET):
            return _fallback(region, gettext_noop("the case is placed in no street"), memo)
        street = ancestor_key(region.id, Level.STREET)
        unit = _first_unit(
            memo,
            ("street", street),
            lambda: Unit.objects.filter(region_id=street, kind__in=STREET_KINDS, is_active=True),
        )
        how = (
            gettext_noop("the office of the case's street")
            if item.owner_level == OwnerLevel.STREET
            else gettext_noop("the case names no community, so the office of its street")
        )
        return (
            Resolution(unit, how)
            if unit
            else _fallback(region, gettext_noop("the street has no office on the platform"), memo)
        )
    community = ancestor_key(region.id, Level.COMMUNITY)
    unit = _first_unit(
        memo,
        ("committee", community),
        lambda: Unit.objects.filter(region_id=community, kind__in=COMMITTEE_KINDS, is_active=True),
    )
    if unit is not None:
        return Resolution(unit, gettext_noop("the committee of the case's community"))
    return _fallback(region, gettext_noop("the community has no committee on the platform"), memo)


def assisting_units(item: DutyItem, region: Region | None, *, memo: dict | None = None) -> list[Unit]:
    """The departments of the case's district that assist on ``item`` (to summon: 吹哨报到)."""
    if region is None or not item.assisting_department_types:
        return []
    key = ("assisting", ancestor_key(region.id, Level.DISTRICT), tuple(item.assisting_department_types))
    if memo is not None and key in memo:
        return list(memo[key])
    # sorted here, not by the database, whose collation of names differs between backends and locales
    units = sorted(
        district_units(region_id=region.id).filter(
            kind=UnitKind.DEPARTMENT, department_type__in=item.assisting_department_types
        ),
        key=lambda u: (u.department_type, u.name, u.pk),
    )
    if memo is not None:
        memo[key] = units
    return list(units)


def owner_units_prefetch(memo: dict, regions, items) -> None:
    """Fill ``memo`` (see ``owner_unit_resolve``) with one query for every unit that resolving ``items`` in
    ``regions`` can look up: each community's committee, each street's office, each district's government and
    departments — so that routing a batch of cases costs one query for its owners, not one per case."""
    regions = [region for region in regions if region is not None]
    street_level, community_level = level_depth(Level.STREET), level_depth(Level.COMMUNITY)
    # as the look-ups key them: a region above the district level keys its own district-sized span
    districts = {ancestor_key(r.id, Level.DISTRICT) for r in regions}
    streets = {ancestor_key(r.id, Level.STREET) for r in regions if level_depth(r.level) >= street_level}
    communities = {ancestor_key(r.id, Level.COMMUNITY) for r in regions if level_depth(r.level) >= community_level}
    if not districts:
        return
    in_districts = key_ranges_q(subtree_range(district, Level.DISTRICT) for district in districts)
    units = list(
        Unit.objects.filter(is_active=True)
        .filter(
            Q(region_id__in=communities, kind__in=COMMITTEE_KINDS)
            | Q(region_id__in=streets, kind__in=STREET_KINDS)
            | (in_districts & Q(kind__in=[UnitKind.DEPARTMENT, UnitKind.DISTRICT_GOVERNMENT]))
        )
        .order_by("pk")
    )
    # the same first unit as each single look-up: committees, offices and governments by pk; departments of
    # a type by (region, pk); assisting departments by (type, name, pk)
    for key in [
        *(("committee", c) for c in communities),
        *(("street", s) for s in streets),
        *(("government", d) for d in districts),
    ]:
        memo.setdefault(key, None)
    departments: dict[int, list[Unit]] = {district: [] for district in districts}
    for unit in units:
        district = ancestor_key(unit.region_id, Level.DISTRICT)
        if unit.kind in COMMITTEE_KINDS and unit.region_id in communities:
            key = ("committee", unit.region_id)
        elif unit.kind in STREET_KINDS and unit.region_id in streets:
            key = ("street", unit.region_id)
        elif unit.kind == UnitKind.DISTRICT_GOVERNMENT and district in districts:
            key = ("government", district)
        elif unit.kind == UnitKind.DEPARTMENT and district in districts:
            departments[district].append(unit)
            continue
        else:
            continue
        if memo[key] is None:
            memo[key] = unit
    for district, found in departments.items():
        for item in items:
            if item.lead_department_type:
                of_type = [u for u in found if u.department_type == item.lead_department_type]
                memo[("department", district, item.lead_department_type)] = min(
                    of_type, key=lambda u: (u.region_id, u.pk), default=None
                )
            if item.assisting_department_types:
                types = tuple(item.assisting_department_types)
                memo[("assisting", district, types)] = sorted(
                    (u for u in found if u.department_type in types), key=lambda u: (u.department_type, u.name, u.pk)
                )


# --- overlap and gap report -------------------------------------------------------------------------


@dataclass
class MissingUnits:
    item: DutyItem
    regions: list[Region]  # where the owning level has no such unit
    total: int
    cases: list = field(default_factory=list)


@dataclass
class DutyReport:
    duty_list: DutyList
    overlaps: list[tuple[Overlap, list[DutyItem], list]] = field(default_factory=list)  # with the cases affected
    gaps: list[tuple[Gap, list[DutyItem], list]] = field(default_factory=list)
    missing_units: list[MissingUnits] = field(default_factory=list)


def item_facts(items) -> list[ItemFacts]:
    return [
        ItemFacts(i.pk, i.code, i.matter, i.category.path if i.category_id else "", i.owner_key, tuple(i.keywords))
        for i in items
    ]


def _served_regions(duty_list: DutyList, level: Level) -> list[Region]:
    """Regions of ``level`` under the list's region where the platform runs (some unit sits in the district)."""
    low, high = duty_list.region.subtree
    districts = set(
        Unit.objects.filter(region_id__gte=low, region_id__lt=high, kind=UnitKind.DISTRICT_GOVERNMENT).values_list(
            "region_id", flat=True
        )
    )
    if duty_list.region.level == Level.DISTRICT:
        districts.add(duty_list.region.id)
    if not districts:
        return []
    condition = key_ranges_q((subtree_range(d, Level.DISTRICT) for d in sorted(districts)), "id")
    return list(Region.objects.filter(condition, level=level).order_by("id"))


def _missing_units(duty_list: DutyList, items: list[DutyItem]) -> list[MissingUnits]:
    found = []
    by_level = {lv: _served_regions(duty_list, lv) for lv in (Level.DISTRICT, Level.STREET, Level.COMMUNITY)}
    departments = set(
        Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True).values_list("region_id", "department_type")
    )
    department_districts = {(ancestor_key(r, Level.DISTRICT), t) for r, t in departments}
    streets = set(Unit.objects.filter(kind__in=STREET_KINDS, is_active=True).values_list("region_id", flat=True))
    committees = set(Unit.objects.filter(kind__in=COMMITTEE_KINDS, is_active=True).values_list("region_id", flat=True))
    for item in items:
        if item.owner_level == OwnerLevel.DISTRICT and item.lead_department_type:
            missing = [
                r for r in by_level[Level.DISTRICT] if (r.id, item.lead_department_type) not in department_districts
            ]
        elif item.owner_level == OwnerLevel.STREET:
            missing = [r for r in by_level[Level.STREET] if r.id not in streets]
        elif item.owner_level == OwnerLevel.COMMUNITY:
            missing = [r for r in by_level[Level.COMMUNITY] if r.id not in committees]
        else:
            continue
        if missing:
            found.append(MissingUnits(item, missing[:8], len(missing)))
    return found


def _attach_affected_cases(user, duty_list: DutyList, report: DutyReport, limit: int = 5) -> None:
    """The cases each finding touches (scoped to the reader, newest first): routed to one of its items under
    this list, filed in an uncovered category, or placed where the owner is missing."""
    from fuhe.cases.selectors import case_queryset

    cases = case_queryset(user).select_related("region", "owner_unit").order_by("-created_at")
    routed = cases.filter(routing__duty_list__id=duty_list.pk)
    report.overlaps = [
        (overlap, items, list(routed.filter(routing__item__code__in=[i.code for i in items])[:limit]))
        for overlap, items, _none in report.overlaps
    ]
    gap_rows = []
    for gap, items, _none in report.gaps:
        if gap.kind == "no_lead":
            found = routed.filter(routing__item__code=gap.key)
        else:
            found = cases.filter(Q(category__path=gap.key) | Q(category__path__startswith=gap.key + "/"))
        gap_rows.append((gap, items, list(found[:limit])))
    report.gaps = gap_rows
    for missing in report.missing_units:
        condition = key_ranges_q(region.subtree for region in missing.regions)
        by_item = Q(routing__item__code=missing.item.code)
        if missing.item.category_id:
            by_item |= Q(category_id=missing.item.category_id)
        missing.cases = list(cases.filter(condition).filter(by_item)[:limit])


def duty_report(*, user, duty_list: DutyList) -> DutyReport:
    items = list(duty_list.items.select_related("category"))
    by_id = {item.pk: item for item in items}
    from fuhe.cases.models import Category

    paths = list(Category.objects.filter(is_active=True, level__lte=2).values_list("path", flat=True))
    report = DutyReport(duty_list)
    facts = item_facts(items)
    report.overlaps = [(o, [by_id[i] for i in o.item_ids], []) for o in overlaps(facts)]
    report.gaps = [(g, [by_id[i] for i in g.item_ids], []) for g in gaps(facts, paths)]
    report.missing_units = _missing_units(duty_list, items)
    _attach_affected_cases(user, duty_list, report)
    return report
