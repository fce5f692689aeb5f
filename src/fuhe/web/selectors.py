"""What each role's home page shows: only what lies in the user's scope."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from fuhe.accounts.models import Role, RoleAssignment
from fuhe.accounts.scope import scope_for
from fuhe.org.models import Region, RegionLevel, Unit

#: what each role's section of the home page says it holds
ROLE_HINTS = {
    Role.RESIDENT: _("Your own records and the services of your community are here."),
    Role.GRID_WORKER: _("Your grid: patrol findings and the residents' requests in it."),
    Role.COMMUNITY_WORKER: _("Your community and its grids."),
    Role.STREET_DISPATCHER: _("Your street: dispatch work to the unit that owns it."),
    Role.DEPARTMENT_HANDLER: _("Your department's own work in its district."),
    Role.LEADER: _("An overview of the area you lead."),
    Role.SUPERVISOR: _("Supervision: the audit trail of the area you supervise."),
    Role.VOLUNTEER: _("Volunteer services in your community."),
    Role.ADMINISTRATOR: _("Administration: org tree, people and roles."),
}


@dataclass
class HomeSection:
    role: str
    role_label: str
    region: Region
    unit: Unit | None
    children_by_level: list[tuple[str, int]] = field(default_factory=list)
    unit_count: int = 0

    @property
    def hint(self) -> str:
        return str(ROLE_HINTS.get(Role(self.role), ""))


def home_sections(*, user) -> list[HomeSection]:
    """One section per role the user holds, with the size of the area it covers."""
    sections = []
    assignments = (
        RoleAssignment.objects.filter(user=user).select_related("region", "unit").order_by("role", "region_id")
    )
    for assignment in assignments:
        region = assignment.region
        low, high = region.subtree
        counts = dict(
            Region.objects.filter(id__gt=low, id__lt=high)
            .values_list("level")
            .annotate(n=Count("id"))
            .values_list("level", "n")
        )
        by_level = [(label, counts[level]) for level, label in RegionLevel.choices if level in counts]
        units = Unit.objects.filter(region_id__gte=low, region_id__lt=high).count()
        sections.append(
            HomeSection(assignment.role, Role(assignment.role).label, region, assignment.unit, by_level, units)
        )
    return sections


def home_headline(*, user) -> dict[str, int]:
    scope = scope_for(user)
    regions = Region.objects.filter(scope.region_q("id"))
    # the units the unit pages list: those in the user's regions and the user's own (a grid worker's committee sits
    # in the community, above the grid: counting by region alone said "0 units" beside the worker's own unit)
    return {"regions": regions.count(), "units": Unit.objects.filter(scope.unit_q()).count()}


def home_work(*, user) -> dict:
    """What waits for this user: the dispatch queue, their unit's open and overdue cases, their own reports."""
    from django.utils import timezone

    from fuhe.cases.selectors import HANDLING_STATES, OPEN_STATES, case_queryset, dispatch_queue

    scope = scope_for(user)
    work = {"my_reports": list(case_queryset(user).filter(reporter=user).order_by("-created_at")[:10])}
    if user.has_perm("cases.dispatch"):
        work["queue"] = dispatch_queue(user=user).count()
    if scope.unit_ids:
        mine = case_queryset(user).filter(owner_unit_id__in=sorted(scope.unit_ids), state__in=OPEN_STATES)
        work["unit_open"] = mine.count()
        work["unit_overdue"] = mine.filter(state__in=HANDLING_STATES, resolution_due__lt=timezone.now()).count()
    work["unread"] = user.notifications.filter(read_at__isnull=True).count()
    return work
