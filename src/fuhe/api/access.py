"""Which cases the JSON API serves, and to whom (docs/decisions/0014-api-visibility.md).

A key acts for its person. A staff member (``fuhe.accounts.rules.is_staff_member``: grid and community workers,
street dispatchers, department handlers, leaders, supervisors, administrators) sees through the API exactly the cases
their web UI shows (``case_list`` / ``case_get``: region and role scope, their units' work and summonses), private
ones included, always as ``fuhe.api.present`` shows them: phone masked, reporter name left out, free text through
``redact``, and no reveal. Everyone else (a resident's key, a volunteer's, an application's) sees only published
cases of their scope. The same rule answers reads and writes: a case the caller may not see is 404, exactly as a
missing one.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from fuhe.accounts.rules import is_staff_member
from fuhe.cases import selectors
from fuhe.cases.models import Case


def sees_private_cases(user) -> bool:
    """Staff see the private cases of their scope through the API; residents, volunteers and applications do not."""
    return is_staff_member(user)


def api_cases(*, user, cases: QuerySet[Case]) -> QuerySet[Case]:
    """``cases`` (already scoped to ``user`` by ``case_list``) narrowed to those the API serves ``user``."""
    return cases if sees_private_cases(user) else cases.filter(is_public=True)


def api_case_get(*, user, case_id: int) -> Case:
    """The case ``case_id`` if the API serves it to ``user``; the same 404 for a missing, an out-of-scope and
    (for those who see only published cases) a private case."""
    case = selectors.case_get(user=user, case_id=case_id)
    if not (case.is_public or sees_private_cases(user)):
        raise Http404("No such case")
    return case
