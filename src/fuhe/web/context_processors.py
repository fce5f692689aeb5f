from django.utils.functional import SimpleLazyObject

from fuhe.accounts.models import STAFF_ROLES, Role
from fuhe.accounts.scope import scope_for
from fuhe.cases.services.clocks import calendar_years_missing


def navigation(request):
    user = getattr(request, "user", None)
    scope = scope_for(user)
    return {
        "fuhe_scope": scope,
        "fuhe_is_staff": scope.has_role(*STAFF_ROLES),
        "fuhe_may_patrol": scope.has_role(Role.GRID_WORKER),  # grid workers record patrol findings
    }


def calendar_warning(request):
    """The years whose official holiday schedule is missing (this year; from 1 November the next), for the staff
    banner of the base template. Lazy: asked only when a page shows the banner."""
    if not scope_for(getattr(request, "user", None)).has_role(*STAFF_ROLES):
        return {"fuhe_calendar_missing_years": ()}
    return {"fuhe_calendar_missing_years": SimpleLazyObject(calendar_years_missing)}
