"""case_note: a neutral, append-only note on a case's timeline, audited, that never moves the case."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_noop

from fuhe.audit.models import AuditEvent
from fuhe.cases.core.history import EventRow, replay
from fuhe.cases.models import CaseEvent
from fuhe.cases.services.intake import case_create
from fuhe.cases.services.notes import NOTE_ACTION, case_note

TEXT = gettext_noop("The resource demand of this case was met: %(resource)s delivered and confirmed.")


@pytest.fixture
def case(tree):
    return case_create(
        actor=tree.people["resident"],
        channel="web",
        text="花园路3号楼停水，需要饮用水",
        region=tree.regions["花园路社区"],
    ).case


def test_a_note_is_appended_with_its_audit_row_and_leaves_the_state(tree, case):
    state = case.state
    event = case_note(case=case, actor=tree.people["dispatcher"], text_key=TEXT, params={"resource": "矿泉水"})
    case.refresh_from_db()
    assert case.state == state
    assert event.action == NOTE_ACTION
    assert event.to_state == "" and event.from_state == ""
    assert event.actor == tree.people["dispatcher"]
    assert event.is_public is False
    assert "矿泉水" in event.reason
    assert event.data == {"text_key": TEXT, "params": {"resource": "矿泉水"}}
    assert list(case.events.order_by("at", "id"))[-1] == event
    audit = AuditEvent.objects.filter(action="case.note_added").get()
    assert audit.summary["event"] == event.pk
    # the replay of the events (``fuhe verify_cases``) still finds the case's state
    rows = [EventRow(case.pk, e.action, e.to_state, e.data) for e in case.events.order_by("at", "id")]
    assert replay(rows).state == state


def test_the_note_is_written_in_the_platform_language_whatever_the_request(tree, case):
    with translation.override("en"):
        event = case_note(case=case, actor=None, text_key=TEXT, params={"resource": "矿泉水"})
    with translation.override("zh-hans"):
        expected = translation.gettext(TEXT) % {"resource": "矿泉水"}
    assert event.reason == expected
    assert event.actor is None


def test_a_note_is_append_only(tree, case):
    event = case_note(case=case, actor=None, text_key=TEXT, params={"resource": "x"})
    event.reason = "edited"
    with pytest.raises(RuntimeError):
        event.save()


def test_params_that_do_not_fit_the_text_are_refused_and_nothing_is_written(tree, case):
    before = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(ValidationError) as caught:
        case_note(case=case, actor=None, text_key=TEXT, params={})
    assert "params" in caught.value.message_dict
    assert CaseEvent.objects.filter(case=case).count() == before
    assert not AuditEvent.objects.filter(action="case.note_added").exists()
