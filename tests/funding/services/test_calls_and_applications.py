from datetime import timedelta

import pytest
from django.utils import timezone

from fuhe.audit.models import AuditEvent
from fuhe.funding.models import Call, Criterion
from fuhe.funding.services import FundingError, application_submit
from tests.funding.conftest import OTHER_ORG, SOCIAL_ORG

TODAY = timezone.localdate


def test_publish_stores_the_call_with_criteria_panel_demands_and_an_audit_row(funding, publish):
    call = publish()
    assert call.budget_fen == 10_000_000
    assert [(c.name, c.weight) for c in call.criteria.all()] == [
        ("需求契合度", 40),
        ("方案可行性", 40),
        ("资金效益", 20),
    ]
    assert set(call.panel.values_list("username", flat=True)) == {"leader", "supervisor", "expert"}
    assert list(call.demands.all()) == [funding.demand]
    assert AuditEvent.objects.filter(action="funding.call_published", object_id=str(call.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"criteria": [("a", 50), ("b", 40)]}, "criteria"),
        ({"criteria": [("a", 100), ("", 0)], "title": ""}, "title"),
        ({"criteria": [("a", 60), ("a", 40)]}, "criteria"),
        ({"budget": "-5"}, "budget"),
        ({"budget": "12.345"}, "budget"),
        ({"budget": "0"}, "budget"),
        ({"closes_on": "2020-01-01", "opens_on": "2020-02-01"}, "closes_on"),
        ({"opens_on": "2020-01-01", "closes_on": "2020-01-31"}, "closes_on"),
        ({"opens_on": "31/12/2026"}, "opens_on"),
        ({"eligible_kinds": []}, "eligible_kinds"),
        ({"eligible_kinds": ["martians"]}, "eligible_kinds"),
        ({"panel_ids": []}, "panel"),
        ({"demand_ids": [], "region_id": None}, "demands"),
    ],
)
def test_bad_calls_name_the_field_and_write_nothing(funding, publish, overrides, field):
    with pytest.raises(FundingError) as error:
        publish(**overrides)
    assert field in error.value.message_dict
    assert not Call.objects.exists() and not Criterion.objects.exists()


def test_only_people_of_the_owner_unit_publish_for_it(funding, publish):
    with pytest.raises(FundingError) as error:
        publish(actor=funding.people["jz-dispatcher"])
    assert "owner" in error.value.message_dict


def test_a_panel_member_out_of_scope_is_refused(funding, publish):
    with pytest.raises(FundingError) as error:
        publish(panel_ids=[funding.people["jz-dispatcher"].pk])
    assert "panel" in error.value.message_dict


def test_a_region_alone_is_enough(funding, publish):
    call = publish(demand_ids=[], region_id=funding.regions["劝业场街道"].pk)
    assert call.region == funding.regions["劝业场街道"]


def test_apply_stores_plan_money_in_fen_and_deliverables(funding, publish, apply):
    application = apply(publish(), requested="59,999.50")
    assert application.requested_fen == 5_999_950
    assert [(d.description, d.quantity) for d in application.deliverables.all()] == [("送餐服务", 30)]
    assert AuditEvent.objects.filter(action="funding.application_submitted").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"requested": "100000.01"}, "requested"),
        ({"requested": "abc"}, "requested"),
        ({"plan": " "}, "plan"),
        ({"demand_id": None}, "demand"),
        ({"deliverables": []}, "deliverables"),
        ({"deliverables": [{"description": "送餐", "quantity": 0, "due_on": "2099-01-01"}]}, "deliverables.1"),
        ({"deliverables": [{"description": "送餐", "quantity": 3, "due_on": "2001-01-01"}]}, "deliverables.1"),
        ({"deliverables": [{"description": "", "quantity": 3, "due_on": "2099-01-01"}]}, "deliverables.1"),
    ],
)
def test_bad_applications_name_the_field(funding, publish, apply, overrides, field):
    call = publish()
    with pytest.raises(FundingError) as error:
        apply(call, **overrides)
    assert field in error.value.message_dict
    assert not call.applications.exists()


def test_ineligible_kinds_and_other_units_cannot_apply(funding, publish, apply):
    call = publish(eligible_kinds=["volunteer_team"])
    with pytest.raises(FundingError) as error:
        apply(call)
    assert "applicant" in error.value.message_dict
    with pytest.raises(FundingError):
        apply(publish(), worker="nb-worker", unit=SOCIAL_ORG)  # does not act for it


def test_applications_outside_the_window_are_refused(funding, publish, apply):
    call = publish(opens_on=TODAY() + timedelta(days=2), closes_on=TODAY() + timedelta(days=9))
    with pytest.raises(FundingError) as error:
        apply(call)
    assert "call" in error.value.message_dict


def test_one_application_per_unit_and_demand(funding, publish, apply):
    call = publish()
    apply(call)
    with pytest.raises(FundingError) as error:
        apply(call)
    assert "demand" in error.value.message_dict
    apply(call, worker="nb-worker", unit=OTHER_ORG)
    assert call.applications.count() == 2


def test_the_owner_cannot_apply_to_its_own_call(funding, publish):
    call = publish(eligible_kinds=["street_office"])
    with pytest.raises(FundingError):
        application_submit(
            actor=funding.people["dispatcher"],
            call=call,
            applicant_id=funding.units["劝业场街道办事处"].pk,
            demand_id=funding.demand.pk,
            title="x",
            plan="x",
            requested="1",
            deliverables=[{"description": "x", "quantity": 1, "due_on": TODAY()}],
        )
