"""Demands, the matching run's page and the delivery loop through the pages: a demand raised from a case in one
step, the run's explanations beside first-come-first-served, offer → accept → deliver → confirm as HTMX actions,
and the case's timeline note when its demand is met."""

from django.urls import reverse

from fuhe.audit.models import AuditEvent
from fuhe.cases.models import CaseEvent
from fuhe.resources.models import Demand, DemandPriority, DemandState, Match, MatchState, ResourceKind
from fuhe.resources.services import match_offer, matching_run
from tests.resources.conftest import FAR

RUNS = reverse("resources:run_index")


def _act(client, match, action, **data):
    url = reverse("resources:match_act", args=[match.pk, action])
    return client.post(url, data, HTTP_HX_REQUEST="true")


def test_a_case_raises_a_demand_in_one_step(tree, login, new_case):
    case = new_case(region=tree.regions["花园路社区"])
    client = login(tree.people["dispatcher"])
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="case-demand-form"' in page
    response = client.post(
        reverse("resources:case_demand", args=[case.pk]),
        {"kind": ResourceKind.STOCKPILE, "quantity": "3"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and 'id="demand-raised"' in response.content.decode()
    demand = Demand.objects.get()
    assert (demand.case, demand.quantity, demand.region) == (case, 3, case.region)


def test_a_negative_quantity_from_a_case_is_named_and_nothing_is_raised(tree, login, new_case):
    case = new_case(region=tree.regions["花园路社区"])
    client = login(tree.people["dispatcher"])
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("resources:case_demand", args=[case.pk]),
        {"kind": ResourceKind.STOCKPILE, "quantity": "-2"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert 'id="case-demand-errors"' in page and "The quantity cannot be negative." in page
    assert not Demand.objects.exists()


def test_those_who_cannot_dispatch_there_get_no_form_and_cannot_post(tree, login, new_case):
    case = new_case(region=tree.regions["花园路社区"])
    client = login(tree.people["jz-dispatcher"])  # another district: the case is out of scope
    response = client.post(reverse("resources:case_demand", args=[case.pk]), {"kind": "stockpile", "quantity": 1})
    assert response.status_code == 404
    assert not Demand.objects.exists()


def test_the_demand_form_names_a_reversed_window(tree, login):
    client = login(tree.people["dispatcher"])
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("resources:demand_new"),
        {
            "title": "安置点床位",
            "source": "emergency",
            "priority": "0",
            "kind": ResourceKind.SPACE,
            "quantity": "4",
            "window_start": "2030-12-05T18:00",
            "window_end": "2030-12-05T08:00",
            "duration_minutes": "0",
            "region": tree.regions["花园路社区"].pk,
            **FAR,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="error-window_end"' in page and "The time window ends before it starts." in page
    assert not Demand.objects.exists()


def test_demands_about_one_place_are_listed_together(tree, login, raise_demand):
    first, second = raise_demand(title="饮用水"), raise_demand(title="应急照明", kind=ResourceKind.EQUIPMENT)
    apart = raise_demand(title="别处", latitude="39.100000", longitude="117.180000")
    page = login(tree.people["dispatcher"]).get(reverse("resources:demand_list")).content.decode()
    group = f'data-group="{Demand.objects.get(pk=first.pk).group_id}"'
    assert group in page
    head = page.index(group)
    assert head < page.index(f'data-demand="{first.pk}"') < page.index(f'data-demand="{apart.pk}"')
    assert head < page.index(f'data-demand="{second.pk}"') < page.index(f'data-demand="{apart.pk}"')


def test_cancel_needs_a_reason(tree, login, raise_demand):
    demand = raise_demand()
    client = login(tree.people["dispatcher"])
    url = reverse("resources:demand_cancel", args=[demand.pk])
    client.post(url, {"reason": ""})
    demand.refresh_from_db()
    assert demand.state == DemandState.OPEN
    client.post(url, {"reason": "居民已自行解决"})
    demand.refresh_from_db()
    assert demand.state == DemandState.CANCELLED


def test_the_run_page_explains_each_match_and_shows_fcfs_beside_it(tree, login, register, raise_demand):
    near, far = register(capacity=2), register(capacity=5, **FAR)
    raise_demand(quantity=3)
    short = raise_demand(title="消毒设备", kind=ResourceKind.EQUIPMENT, quantity=1)
    client = login(tree.people["dispatcher"])
    response = client.post(RUNS, {"region": tree.regions["劝业场街道"].pk})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    match = Match.objects.get(resource=far)
    assert f'id="why-{match.pk}"' in page
    assert 'id="optimum-cost"' in page and 'id="fcfs-cost"' in page and 'id="fcfs-detail"' in page
    assert near.name in page  # named as the next best (or in FCFS's assignment)
    assert 'data-binding="kind"' in page and short.title in page
    assert 'data-action="offer"' in page


def test_the_delivery_loop_through_the_pages_advances_the_case(tree, login, register, raise_demand, new_case):
    case = new_case(region=tree.regions["花园路社区"])
    resource = register(capacity=5, **FAR)
    dispatcher, volunteer = tree.people["dispatcher"], tree.people["volunteer"]
    client = login(dispatcher)
    client.post(reverse("resources:case_demand", args=[case.pk]), {"kind": ResourceKind.STOCKPILE, "quantity": "2"})
    client.post(RUNS, {"region": tree.regions["劝业场街道"].pk})
    match = Match.objects.get(resource=resource)
    # the owner may not offer; the dispatcher offers
    owner = login(volunteer)
    refused = _act(owner, match, "offer")
    assert 'role="alert"' in refused.content.decode()
    assert Match.objects.get(pk=match.pk).state == MatchState.PROPOSED
    offered = _act(login(dispatcher), match, "offer")
    assert 'data-clock="answer"' in offered.content.decode()
    inbox = login(volunteer).get(reverse("resources:match_inbox")).content.decode()
    assert f'id="match-{match.pk}"' in inbox
    declined = _act(login(volunteer), match, "decline", reason="")
    assert 'role="alert"' in declined.content.decode()
    assert Match.objects.get(pk=match.pk).state == MatchState.OFFERED
    accepted = _act(login(volunteer), match, "accept")
    assert 'data-clock="deliver"' in accepted.content.decode()
    _act(login(volunteer), match, "deliver")
    assert Match.objects.get(pk=match.pk).state == MatchState.DELIVERED
    confirmed = _act(login(dispatcher), match, "confirm")
    assert 'data-state="confirmed"' in confirmed.content.decode()
    assert Demand.objects.get().state == DemandState.CLOSED
    note = CaseEvent.objects.get(case=case, action="note")
    assert resource.name in note.reason
    assert AuditEvent.objects.filter(action="case.note_added").exists()
    case_page = login(dispatcher).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert note.reason in case_page
    timeline = login(dispatcher).get(reverse("resources:match_detail", args=[match.pk])).content.decode()
    assert timeline.count("data-action=") >= 4


def test_another_districts_dispatcher_cannot_see_a_run(tree, login, register, raise_demand):
    register(**FAR)
    raise_demand()
    client = login(tree.people["dispatcher"])
    run_url = client.post(RUNS, {"region": tree.regions["劝业场街道"].pk}).url
    assert login(tree.people["jz-dispatcher"]).get(run_url).status_code == 404


def test_an_expiring_reservation_is_listed_and_a_resident_has_no_resources_link(tree, login, register, raise_demand):
    resource = register(**FAR)
    raise_demand(priority=DemandPriority.EMERGENCY, quantity=1)  # an emergency offer waits 2 natural hours
    matching_run(actor=tree.people["dispatcher"], region=tree.regions["劝业场街道"])
    match = match_offer(actor=tree.people["dispatcher"], match=Match.objects.get(resource=resource))
    inbox = login(tree.people["dispatcher"]).get(reverse("resources:match_inbox")).content.decode()
    expiring = inbox[inbox.index('id="expiring-list"') :]
    assert reverse("resources:match_detail", args=[match.pk]) in expiring
    home = login(tree.people["resident"]).get(reverse("web:home")).content.decode()
    assert 'id="nav-resources"' not in home
