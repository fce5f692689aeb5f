from fuhe.accounts.models import STAFF_ROLES, Role
from fuhe.accounts.scope import scope_for


def navigation(request):
    user = getattr(request, "user", None)
    scope = scope_for(user)
    return {
        "fuhe_scope": scope,
        "fuhe_is_staff": scope.has_role(*STAFF_ROLES),
        "fuhe_may_patrol": scope.has_role(Role.GRID_WORKER),  # grid workers record patrol findings
    }
