"""Patrol findings: fixed on the spot (closed at once, counted apart, spot-checked) or reported (the normal loop)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from fuhe.audit.models import AuditEvent
from fuhe.cases.core.lifecycle import IllegalTransition, State
from fuhe.cases.metrics import case_rates, on_spot_counts, spot_checks_pending
from fuhe.cases.models import Case, CaseEvent, Category
from fuhe.cases.selectors import case_facts, case_history_mismatches, dispatch_queue
from fuhe.cases.services import lifecycle as loop
from fuhe.cases.services.patrol import (
    case_report_from_patrol,
    case_resolve_on_spot,
    case_spot_check,
    patrol_finding_check,
    spot_check_drawn,
)
from fuhe.cases.services.photos import photos_validate

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def hygiene(db):
    parent = Category.objects.create(name="城市建设和市政管理", level=2, path="城乡建设/城市建设和市政管理")
    return Category.objects.create(name="环境卫生", parent=parent, level=3, path="城乡建设/城市建设和市政管理/环境卫生")


@pytest.fixture
def grid(tree):
    return tree.regions["花园路社区第1网格"]


def finding(grid, category, *, note="", photos=(), submission="s1"):
    return patrol_finding_check(
        region=grid,
        category_id=category.pk if category else None,
        note=note,
        photos=list(photos),
        submission_id=submission,
    )


def test_fixed_on_the_spot_is_received_and_closed_in_one_flow_with_its_events_and_audit(tree, grid, hygiene, settings):
    settings.FUHE_SPOT_CHECK_SHARE = 0
    worker = tree.people["grid"]
    photo = photos_validate([SimpleUploadedFile("a.png", PNG)])
    case = case_resolve_on_spot(actor=worker, finding=finding(grid, hygiene, note="楼道堆物已清", photos=photo))
    case.refresh_from_db()
    assert (case.state, case.channel, case.is_proactive, case.region, case.category) == (
        State.CLOSED,
        "patrol",
        True,
        grid,
        hygiene,
    )
    assert case.created_by == worker and case.closed_at is not None and case.dispatched_at is None
    assert case.photos.count() == 1 and "楼道堆物已清" in case.text
    events = list(case.events.values_list("action", "from_state", "to_state", "actor_id", "reason"))
    assert events == [
        ("receive", "", "received", worker.pk, ""),
        ("resolve_on_spot", "received", "closed", worker.pk, "楼道堆物已清"),
    ]
    assert AuditEvent.objects.filter(action="case.resolve_on_spot", object_id=str(case.pk)).exists()
    assert not dispatch_queue(user=tree.people["dispatcher"]).filter(pk=case.pk).exists()
    assert list(case_history_mismatches()) == []  # the row is what its events say


def test_needs_reporting_enters_the_normal_loop(tree, grid, hygiene):
    case = case_report_from_patrol(actor=tree.people["grid"], finding=finding(grid, hygiene, note="路灯不亮"))
    assert (case.state, case.channel, case.is_proactive) == (State.RECEIVED, "patrol", True)
    assert dispatch_queue(user=tree.people["dispatcher"]).filter(pk=case.pk).exists()
    assert not case.events.filter(action="resolve_on_spot").exists()
    loop.case_dispatch(actor=tree.people["dispatcher"], case=case, unit=tree.units["和平区城管委"])


def test_a_form_sent_twice_closes_one_case_once(tree, grid, hygiene):
    worker = tree.people["grid"]
    first = case_resolve_on_spot(actor=worker, finding=finding(grid, hygiene, submission="same"))
    second = case_resolve_on_spot(actor=worker, finding=finding(grid, hygiene, submission="same"))
    assert first.pk == second.pk and Case.objects.count() == 1
    assert CaseEvent.objects.filter(action="resolve_on_spot").count() == 1


def test_only_a_grid_worker_resolves_their_own_finding_on_the_spot(tree, grid, hygiene):
    with pytest.raises(PermissionDenied):
        case_resolve_on_spot(actor=tree.people["dispatcher"], finding=finding(grid, hygiene))
    assert Case.objects.count() == 0  # received and closed together, or neither
    reported = case_report_from_patrol(actor=tree.people["community"], finding=finding(grid, hygiene, submission="c"))
    with pytest.raises(PermissionDenied):  # the case is not a resident's, but another person found it
        loop.case_transition(actor=tree.people["grid"], case=reported, action="resolve_on_spot")


def test_a_resident_report_is_never_resolved_on_the_spot(tree, new_case):
    case = new_case()
    with pytest.raises(IllegalTransition, match="patrol finding"):
        loop.case_transition(actor=tree.people["grid"], case=case, action="resolve_on_spot", check_permission=False)


def test_what_was_found_is_required_and_errors_name_the_field(grid, hygiene):
    with pytest.raises(ValidationError) as missing:
        finding(grid, None)
    assert set(missing.value.message_dict) == {"category"}
    with pytest.raises(ValidationError) as unknown:
        patrol_finding_check(region=grid, category_id="999999", note="", photos=[], submission_id="x")
    assert set(unknown.value.message_dict) == {"category"}
    with pytest.raises(ValidationError) as long_note:
        finding(grid, hygiene, note="长" * 201)
    assert set(long_note.value.message_dict) == {"note"}
    assert finding(grid, None, note="  井盖  松动 ").note == "井盖 松动"  # a note alone says what was found


@pytest.mark.parametrize(
    ("share", "roll", "drawn"),
    [(0.1, 0.05, True), (0.1, 0.1, False), (0, 0.0, False), (1, 0.999, True), (2, 0.5, True), (-1, 0.0, False)],
)
def test_spot_check_draw(share, roll, drawn):
    assert spot_check_drawn(share, roll) is drawn


def test_the_configured_share_of_fixes_is_drawn_at_random(tree, grid, hygiene, settings):
    settings.FUHE_SPOT_CHECK_SHARE = 0.5
    worker = tree.people["grid"]
    for n in range(60):
        case_resolve_on_spot(actor=worker, finding=finding(grid, hygiene, submission=f"r{n}"))
    drawn = CaseEvent.objects.filter(action="resolve_on_spot", data__spot_check=True).count()
    assert 10 <= drawn <= 50  # binomial(60, 0.5): outside this once in ~10^8 runs


@pytest.fixture
def drawn_fix(tree, grid, hygiene, settings):
    settings.FUHE_SPOT_CHECK_SHARE = 1
    return case_resolve_on_spot(actor=tree.people["grid"], finding=finding(grid, hygiene, note="已清理"))


def test_the_street_confirms_a_drawn_fix(tree, drawn_fix):
    dispatcher = tree.people["dispatcher"]
    assert case_facts(drawn_fix).spot_check_pending
    assert list(spot_checks_pending(user=dispatcher)) == [drawn_fix]
    case = case_spot_check(actor=dispatcher, case=drawn_fix, confirmed=True)
    assert case.state == State.CLOSED and not case_facts(case).spot_check_pending
    assert list(spot_checks_pending(user=dispatcher)) == []
    with pytest.raises(IllegalTransition, match="not waiting for a spot check"):  # checked once
        case_spot_check(actor=dispatcher, case=case, confirmed=False, reason="再查")
    counts = on_spot_counts(user=dispatcher)
    assert (counts.resolved, counts.drawn, counts.confirmed, counts.reopened, counts.pending, counts.standing) == (
        1,
        1,
        1,
        0,
        0,
        1,
    )


def test_a_failed_check_sends_the_case_into_the_loop_and_it_is_not_closed_on_the_spot_again(tree, drawn_fix):
    dispatcher, worker = tree.people["dispatcher"], tree.people["grid"]
    with pytest.raises(ValidationError) as no_reason:
        case_spot_check(actor=dispatcher, case=drawn_fix, confirmed=False, reason=" ")
    assert set(no_reason.value.message_dict) == {"reason"}
    case = case_spot_check(actor=dispatcher, case=drawn_fix, confirmed=False, reason="现场仍有堆物")
    assert (case.state, case.closed_at) == (State.RECEIVED, None)
    assert dispatch_queue(user=dispatcher).filter(pk=case.pk).exists()
    assert AuditEvent.objects.filter(action="case.spot_check_reopen", object_id=str(case.pk)).exists()
    with pytest.raises(IllegalTransition, match="goes through dispatch"):
        loop.case_transition(actor=worker, case=case, action="resolve_on_spot", check_permission=False)
    counts = on_spot_counts(user=dispatcher)
    assert (counts.resolved, counts.reopened, counts.standing) == (1, 1, 0)


def test_nobody_checks_their_own_fix_and_fixes_not_drawn_are_not_checked(tree, drawn_fix, grid, hygiene, settings):
    with pytest.raises(PermissionDenied):
        case_spot_check(actor=tree.people["grid"], case=drawn_fix, confirmed=True)
    with pytest.raises(PermissionDenied):  # another street's dispatcher
        case_spot_check(actor=tree.people["jz-dispatcher"], case=drawn_fix, confirmed=True)
    settings.FUHE_SPOT_CHECK_SHARE = 0
    undrawn = case_resolve_on_spot(actor=tree.people["grid"], finding=finding(grid, hygiene, submission="u"))
    with pytest.raises(IllegalTransition, match="not waiting for a spot check"):
        case_spot_check(actor=tree.people["dispatcher"], case=undrawn, confirmed=True)
    assert list(spot_checks_pending(user=tree.people["dispatcher"])) == [drawn_fix]


def test_on_spot_fixes_are_never_counted_as_a_resident_rating(tree, drawn_fix):
    rates = case_rates(Case.objects.all())
    assert rates.assessed == 0 and rates.excluded_direct == 1
    assert all(rate.denominator == 0 for rate in rates.rates.values())
