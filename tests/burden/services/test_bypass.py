"""The emergency bypass: declared only for tasks that did not reach the unit, filed once, due in working days."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from fuhe.audit.models import AuditEvent
from fuhe.burden import services
from fuhe.burden.models import EmergencyBypass
from fuhe.burden.selectors import bypass_list, inbox
from tests.burden.conftest import MONDAY, TZ
from tests.burden.services.issuing import issue, issue_form, target_of

pytestmark = pytest.mark.django_db

FRIDAY = MONDAY + timedelta(days=4)


def refused_target(tree, unit="花园路社区居委会"):
    task = issue(tree, "CJ-05", title="危房紧急排查")
    assert not task.reaches_units
    return target_of(task, tree, unit)


def declare(tree, target, user="community", **extra):
    extra.setdefault("now", FRIDAY)
    return services.bypass_declare(actor=tree.people[user], target=target, emergency="暴雨红色预警", **extra)


def test_the_filing_is_due_in_working_days(burden):
    bypass = declare(burden, refused_target(burden))
    # Friday + 3 working days, over the weekend: Wednesday at the close of business
    assert bypass.filing_due.astimezone(TZ).date() == datetime(2026, 3, 11, tzinfo=TZ).date()
    assert bypass.filing_due.astimezone(TZ).hour >= 17
    assert bypass.target.bypassed
    event = AuditEvent.objects.get(action="burden.bypass_declare")
    assert event.summary["filing_due"] == bypass.filing_due.isoformat()


def test_a_bypassed_task_reaches_the_units_inbox_and_the_open_list(burden):
    target = refused_target(burden)
    community = burden.people["community"]
    assert not inbox(user=community).filter(pk=target.pk).exists()
    bypass = declare(burden, target)
    assert inbox(user=community).filter(pk=target.pk).exists()
    assert list(bypass_list(user=community)) == [bypass]
    services.bypass_file(
        actor=community, bypass=bypass, explanation="雨情紧急，先行排查", now=FRIDAY + timedelta(days=1)
    )
    assert list(bypass_list(user=community)) == []
    assert list(bypass_list(user=community, open_only=False)) == [bypass]


def test_only_tasks_that_did_not_reach_the_unit_can_be_bypassed(burden):
    admitted = target_of(issue(burden, "SQ-02"), burden)
    with pytest.raises(services.BurdenError):
        declare(burden, admitted)
    target = refused_target(burden)
    declare(burden, target)
    with pytest.raises(services.BurdenError):
        declare(burden, target, now=FRIDAY + timedelta(hours=1))  # once per target
    assert EmergencyBypass.objects.count() == 1


def test_a_pending_task_can_be_bypassed(burden):
    start = MONDAY + timedelta(days=70)
    task = issue(burden, "", approval_reason="防汛需要", starts_at=start, due_at=start + timedelta(days=5))
    assert declare(burden, target_of(task, burden)).pk


def test_the_emergency_must_be_named_and_declared_by_the_unit(burden):
    target = refused_target(burden)
    with pytest.raises(services.BurdenError):
        services.bypass_declare(actor=burden.people["community"], target=target, emergency="  ", now=FRIDAY)
    with pytest.raises(PermissionDenied):
        declare(burden, refused_target(burden, "新华社区居委会"))
    target.refresh_from_db()
    assert not target.bypassed and not EmergencyBypass.objects.exists()


def test_the_explanation_is_filed_once(burden):
    bypass = declare(burden, refused_target(burden))
    with pytest.raises(services.BurdenError):
        services.bypass_file(actor=burden.people["community"], bypass=bypass, explanation=" ", now=FRIDAY)
    late = bypass.filing_due + timedelta(hours=1)
    services.bypass_file(actor=burden.people["community"], bypass=bypass, explanation="先行排查", now=late)
    with pytest.raises(services.BurdenError):
        services.bypass_file(actor=burden.people["community"], bypass=bypass, explanation="再次说明", now=late)
    bypass.refresh_from_db()
    assert (bypass.explanation, bypass.filed_at, bypass.filed_by) == ("先行排查", late, burden.people["community"])
    assert AuditEvent.objects.get(action="burden.bypass_file").summary == {"late": True}


def test_a_bypassed_form_may_be_answered(burden):
    task = issue_form(burden, code="CJ-05")
    target = target_of(task, burden)
    declare(burden, target)
    ids = {f.label: f.pk for f in task.fields.all()}
    services.form_submit(
        actor=burden.people["community"],
        target=target,
        answers={ids["户数"]: "2100", ids["独居老人人数"]: "37"},
        now=FRIDAY + timedelta(hours=1),
    )
    target.refresh_from_db()
    assert target.submitted_at is not None
