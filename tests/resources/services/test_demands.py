from datetime import timedelta

import pytest
from django.utils import timezone, translation

from fuhe.cases.models import Urgency
from fuhe.resources.models import Demand, DemandPriority, DemandSource, ResourceKind
from fuhe.resources.services import ResourceError, demand_from_case, demands_group
from tests.resources.conftest import FAR, NEAR


def test_demand_from_case_in_one_step(tree, new_case):
    case = new_case(urgency=Urgency.CRITICAL)
    demand = demand_from_case(actor=tree.people["dispatcher"], case=case, kind=ResourceKind.STOCKPILE, quantity=4)
    assert demand.case == case
    assert demand.source == DemandSource.CASE
    assert demand.source_reference == case.tracking_code
    assert demand.priority == DemandPriority.EMERGENCY  # a 特急 case is an emergency
    assert demand.region_id == case.region_id
    assert (demand.latitude, demand.longitude) == (case.latitude, case.longitude)
    assert demand.window_end > demand.window_start
    assert demand.requester == tree.units["劝业场街道办事处"]  # the actor's unit when the case has no owner yet


def test_a_case_raises_one_open_demand_per_kind(tree, new_case):
    case = new_case()
    demand_from_case(actor=tree.people["dispatcher"], case=case, kind=ResourceKind.STOCKPILE, quantity=1)
    with pytest.raises(ResourceError) as error:
        demand_from_case(actor=tree.people["dispatcher"], case=case, kind=ResourceKind.STOCKPILE, quantity=1)
    assert "case" in error.value.message_dict
    assert Demand.objects.count() == 1


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"quantity": -2}, "quantity", "The quantity cannot be negative."),
        ({"quantity": 0}, "quantity", "Enter a number of at least 1."),
        ({"priority": 7}, "priority", "Choose one of the listed values."),
        ({"duration_minutes": -5}, "duration_minutes", "The duration cannot be negative."),
        ({"region_id": 42}, "region", "No region with this id."),
        ({"requester_id": 999_999}, "requester", "No unit with this id in your scope."),
    ],
)
def test_bad_demand_names_the_field_and_writes_nothing(raise_demand, values, field, message):
    with translation.override("en"), pytest.raises(ResourceError) as error:
        raise_demand(**values)
    assert message in " ".join(error.value.message_dict[field])
    assert not Demand.objects.exists()


def test_impossible_window_is_refused(raise_demand):
    now = timezone.now()
    with translation.override("en"), pytest.raises(ResourceError) as error:
        raise_demand(window_start=now + timedelta(days=2), window_end=now + timedelta(days=1))
    assert error.value.message_dict == {"window_end": ["The time window ends before it starts."]}
    with translation.override("en"), pytest.raises(ResourceError) as error:
        raise_demand(window_end=now + timedelta(hours=1), duration_minutes=180)
    assert "duration_minutes" in error.value.message_dict
    assert not Demand.objects.exists()


def test_a_street_cannot_raise_demands_in_another_street(tree, raise_demand, owner_xbl):
    with pytest.raises(ResourceError) as error:
        raise_demand(actor=owner_xbl)
    assert "region" in error.value.message_dict
    assert not Demand.objects.exists()


def test_demands_about_one_place_are_grouped(raise_demand):
    first = raise_demand()
    second = raise_demand(title="3号楼老人用水")
    elsewhere = raise_demand(**NEAR)
    first.refresh_from_db()
    assert first.group is not None
    assert second.group == first.group
    assert elsewhere.group is None
    assert set(first.group.demands.all()) == {first, second}


def test_demands_group_by_hand(tree, raise_demand):
    one, two = raise_demand(), raise_demand(**NEAR)
    group = demands_group(actor=tree.people["dispatcher"], demands=[one, two], label="花园路3号楼")
    assert set(group.demands.all()) == {one, two}
    with pytest.raises(ResourceError):
        demands_group(actor=tree.people["dispatcher"], demands=[one])


def test_far_demand_point_is_used(raise_demand):
    demand = raise_demand()
    assert str(demand.latitude) == FAR["latitude"]
