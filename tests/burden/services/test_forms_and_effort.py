"""Fill once (一表通) through ``form_submit``, and the optional effort record that refines the estimates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from fuhe.audit.models import AuditEvent
from fuhe.burden import services
from fuhe.burden.models import DataItem, DataValue, EffortRecord, FormAnswer, TaskTarget
from fuhe.burden.selectors import policy_for_region
from fuhe.burden.services import FieldSpec
from tests.burden.conftest import MONDAY, add_member
from tests.burden.services.issuing import SURVEY_FIELDS, field_ids, issue, issue_form, target_of

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def submit(tree, target, answers, user="community", **extra):
    extra.setdefault("now", MONDAY + HOUR)
    return services.form_submit(actor=tree.people[user], target=target, answers=answers, **extra)


def values_of(code: str, unit) -> list[str]:
    return list(
        DataValue.objects.filter(item__code=code, unit=unit).order_by("as_of", "id").values_list("value", flat=True)
    )


def test_answers_prefill_the_next_form_to_the_same_unit(burden):
    unit = burden.units["花园路社区居委会"]
    task = issue_form(burden)
    target = target_of(task, burden)
    assert (target.fields_total, target.fields_prefilled) == (4, 2)  # population (org tree) and grids
    ids = field_ids(task)
    submit(burden, target, {ids["户数"]: "2100", ids["独居老人人数"]: "37"})
    assert values_of("pop.households", unit) == ["2100"] and values_of("pop.elderly_alone", unit) == ["37"]
    later = issue_form(burden, title="社区情况再统计", now=MONDAY + timedelta(days=1))
    again = target_of(later, burden)
    assert again.fields_prefilled == 4
    assert again.minutes_saved == sum(f.minutes for f in later.fields.all())
    assert again.estimated_minutes < target.estimated_minutes  # only the base effort is left
    # another unit still has to answer
    assert target_of(later, burden, "新华社区居委会").fields_prefilled == 1  # grids only


def test_an_answer_to_a_field_the_platform_cannot_derive_prefills_the_next_form(burden):
    """新华社区 has no population on the org tree: its answer must be kept and used next time (一表通)."""
    add_member(burden, "xinhua", "新华社区居委会", "新华社区")
    task = issue_form(burden)
    target = target_of(task, burden, "新华社区居委会")
    assert target.fields_prefilled == 1
    ids = field_ids(task)
    submit(burden, target, {ids["常住人口"]: "4100", ids["户数"]: "1500", ids["独居老人人数"]: "12"}, user="xinhua")
    later = issue_form(burden, title="社区情况再统计", now=MONDAY + timedelta(days=1))
    assert target_of(later, burden, "新华社区居委会").fields_prefilled == 4


def test_a_corrected_value_of_a_field_the_platform_derives_prefills_the_next_form(burden):
    """花园路社区's population comes from the org tree; the community corrects it, and the correction is used."""
    from fuhe.burden.catalogue import prefill_for

    unit = burden.units["花园路社区居委会"]
    population = DataItem.objects.get(code="org.population")
    tree_value = prefill_for([unit], [population], MONDAY)[unit.pk][0].known
    assert tree_value.source == "org"
    task = issue_form(burden)
    ids = field_ids(task)
    corrected = str(int(tree_value.value) + 321)
    answers = {ids["常住人口"]: corrected, ids["户数"]: "2100", ids["独居老人人数"]: "37"}
    submit(burden, target_of(task, burden), answers)
    assert values_of("org.population", unit) == [corrected]
    later = prefill_for([unit], [population], MONDAY + timedelta(days=1))[unit.pk][0].known
    assert (later.value, later.source) == (corrected, "submission")


def test_prefilled_values_left_unchanged_are_not_recorded_again(burden):
    unit = burden.units["花园路社区居委会"]
    households = DataItem.objects.get(code="pop.households")
    services.data_value_record(
        item=households, unit=unit, value="2100", as_of=MONDAY - timedelta(days=10), source="manual"
    )
    task = issue_form(burden)
    target = target_of(task, burden)
    assert target.fields_prefilled == 3
    ids = field_ids(task)
    submit(burden, target, {ids["户数"]: " 2100 ", ids["常住人口"]: "", ids["独居老人人数"]: "37"})
    assert values_of("pop.households", unit) == ["2100"]
    assert DataValue.objects.filter(item__code="org.population").count() == 0
    event = AuditEvent.objects.get(action="burden.form_submit")
    assert event.summary["entered"] == 1 and event.summary["fields"] == 4
    # a changed value is recorded as a submission
    second = target_of(issue_form(burden, title="户数核对", now=MONDAY + timedelta(days=1)), burden)
    services.form_submit(
        actor=burden.people["community"],
        target=second,
        answers={field_ids(second.task)["户数"]: "2150"},
        now=MONDAY + timedelta(days=1, hours=1),
    )
    assert values_of("pop.households", unit) == ["2100", "2150"]
    assert DataValue.objects.filter(item__code="pop.households").latest("as_of").target == second


def test_missing_answers_name_the_fields_and_save_nothing(burden):
    task = issue_form(burden, fields=(*SURVEY_FIELDS, FieldSpec("本月调处件数")))
    target = target_of(task, burden)
    ids = field_ids(task)
    with pytest.raises(services.BurdenError) as error:
        submit(burden, target, {ids["户数"]: "2100", ids["本月调处件数"]: "  "}, minutes=10)
    message = " ".join(error.value.message_dict["answers"])
    assert "独居老人人数" in message and "本月调处件数" in message
    assert "户数" not in message.replace("独居老人人数", "") and "常住人口" not in message  # answered or prefilled
    target.refresh_from_db()
    assert target.submitted_at is None and target.actual_minutes is None
    assert not DataValue.objects.exists() and not FormAnswer.objects.exists() and not EffortRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="burden.form_submit").exists()


def test_off_catalogue_answers_stay_with_the_form(burden):
    task = issue_form(burden, fields=(FieldSpec("网格数", "org.grids"), FieldSpec("本月调处件数")))
    target = target_of(task, burden)
    submit(burden, target, {field_ids(task)["本月调处件数"]: "6"})
    assert list(FormAnswer.objects.values_list("target_id", "value")) == [(target.pk, "6")]
    assert not DataValue.objects.exists()
    assert not EffortRecord.objects.exists()  # the effort is optional


def test_an_invalid_effort_undoes_the_whole_submission(burden):
    task = issue_form(burden, fields=(FieldSpec("户数", "pop.households"),))
    target = target_of(task, burden)
    with pytest.raises(services.BurdenError):
        submit(burden, target, {field_ids(task)["户数"]: "2100"}, minutes=0)
    target.refresh_from_db()
    assert target.submitted_at is None and not DataValue.objects.exists()


def test_forms_are_answered_only_when_admitted_and_only_by_the_unit(burden):
    refused = issue_form(burden, code="SQ-03")
    with pytest.raises(services.BurdenError):
        submit(burden, target_of(refused, burden), {})
    admitted = issue_form(burden)
    with pytest.raises(PermissionDenied):
        submit(burden, target_of(admitted, burden, "新华社区居委会"), {})
    with pytest.raises(services.BurdenError):
        submit(burden, target_of(issue(burden, "SQ-02"), burden), {})  # not a form


def test_effort_is_optional_and_refines_the_estimate_of_its_kind(burden):
    policy = policy_for_region(burden.regions["和平区"].pk)
    meeting = issue(burden, "SQ-02", kind="meeting", title="调解工作会", effort_basis="unit")
    target = target_of(meeting, burden)
    assert meeting.effort_minutes == 150 and target.estimated_minutes == 150
    assert services.kind_effort("meeting", policy) == 150
    services.effort_record(actor=burden.people["community"], target=target, minutes=30, now=MONDAY + HOUR)
    target.refresh_from_db()
    assert target.actual_minutes == 30
    assert services.kind_effort("meeting", policy) == pytest.approx((3 * 150 + 30) / 4)
    assert services.kind_effort("form", policy) == 20  # other kinds keep their prior
    later = issue(
        burden, "SQ-02", kind="meeting", title="季度工作会", effort_basis="unit", now=MONDAY + timedelta(days=1)
    )
    assert later.effort_minutes == pytest.approx(120)
    assert AuditEvent.objects.filter(action="burden.effort_record").count() == 1


@pytest.mark.parametrize("minutes", [0, -5, 60 * 24 + 1, float("nan")])
def test_an_effort_must_be_a_plausible_number_of_minutes(burden, minutes):
    target = target_of(issue(burden, "SQ-02"), burden)
    with pytest.raises(services.BurdenError):
        services.effort_record(actor=burden.people["community"], target=target, minutes=minutes, now=MONDAY)
    assert not EffortRecord.objects.exists()


def test_taking_exactly_the_estimate_does_not_move_it(burden):
    """A per-grid inspection is estimated at 180 minutes a grid; 花园路 has two grids. A unit that records the
    360 minutes it was estimated confirms the prior; it must not inflate the per-grid estimate."""
    policy = policy_for_region(burden.regions["和平区"].pk)
    task = issue(burden, "SQ-02", kind="inspection")
    target = target_of(task, burden)
    assert (task.effort_basis, task.effort_minutes, target.estimated_minutes) == ("grid", 180, 360)
    services.effort_record(actor=burden.people["community"], target=target, minutes=360, now=MONDAY + HOUR)
    assert services.kind_effort("inspection", policy) == pytest.approx(180)
    services.effort_record(actor=burden.people["community"], target=target, minutes=180, now=MONDAY + 2 * HOUR)
    assert services.kind_effort("inspection", policy) == pytest.approx((3 * 180 + 2 * 135) / 5)  # median of 180 and 90


def test_only_the_units_staff_record_effort(burden):
    target = target_of(issue(burden, "SQ-02"), burden, "新华社区居委会")
    with pytest.raises(PermissionDenied):
        services.effort_record(actor=burden.people["community"], target=target, minutes=30, now=MONDAY)
    assert TaskTarget.objects.get(pk=target.pk).actual_minutes is None


def test_no_effort_is_recorded_for_a_task_that_never_reached_the_unit(burden):
    """A refused task must not feed the estimates of its kind (nor the unit's load) unless acted on in an
    emergency."""
    target = target_of(issue(burden, "SQ-03", kind="other", title="出具证明"), burden)
    with pytest.raises(services.BurdenError):
        services.effort_record(actor=burden.people["community"], target=target, minutes=300, now=MONDAY)
    assert not EffortRecord.objects.exists()
    services.bypass_declare(actor=burden.people["community"], target=target, emergency="群众急需", now=MONDAY)
    services.effort_record(actor=burden.people["community"], target=target, minutes=300, now=MONDAY + HOUR)
    assert EffortRecord.objects.count() == 1


def test_a_corrected_submission_replaces_the_off_catalogue_answers(burden):
    task = issue_form(burden, fields=(FieldSpec("户数", "pop.households"), FieldSpec("本月调处件数")))
    target = target_of(task, burden)
    ids = field_ids(task)
    submit(burden, target, {ids["户数"]: "2100", ids["本月调处件数"]: "6"})
    submit(burden, target, {ids["户数"]: "2110", ids["本月调处件数"]: "7"}, now=MONDAY + 2 * HOUR)
    assert list(FormAnswer.objects.values_list("value", flat=True)) == ["7"]
    assert values_of("pop.households", burden.units["花园路社区居委会"]) == ["2100", "2110"]
