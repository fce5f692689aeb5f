from fuhe.accounts.models import STAFF_ROLES
from fuhe.accounts.scope import scope_for


def navigation(request):
    user = getattr(request, "user", None)
    scope = scope_for(user)
    return {"fuhe_scope": scope, "fuhe_roles": sorted(scope.roles), "fuhe_is_staff": scope.has_role(*STAFF_ROLES)}
