"""The pages of urban–rural pairing and emergency mode: thin views over the services (tested there)."""

from datetime import timedelta
from io import BytesIO

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.resources.models import EmergencyPeriod, Match, MatchState, Pairing, PairingShare
from fuhe.resources.services import match_accept, match_confirm, match_deliver, match_offer, matching_run
from fuhe.resources.services.emergency import emergency_start
from fuhe.resources.services.pairing import pairing_create
from tests.conftest import PASSWORD
from tests.resources.conftest import NEAR


def _city_leader(tree):
    person = User.objects.create_user(username="city-leader", password=PASSWORD)
    RoleAssignment.objects.create(user=person, role=Role.LEADER, region=tree.regions["市辖区"])
    return person


def test_a_city_leader_sets_up_a_pairing_and_errors_name_the_field(tree, login):
    client = login(_city_leader(tree))
    page = client.get(reverse("resources:pairing_index"))
    assert page.status_code == 200 and b'id="pairing-form"' in page.content
    today = timezone.localdate()
    values = {
        "street": tree.regions["劝业场街道"].pk,
        "township": tree.regions["渔阳镇"].pk,
        "purpose": "结对帮扶",
        "starts_on": today.isoformat(),
        "ends_on": (today - timedelta(days=1)).isoformat(),
        "shares": [PairingShare.STREET_POOL],
    }
    refused = client.post(reverse("resources:pairing_index"), values)
    assert refused.status_code == 400 and b'data-field="ends_on"' in refused.content
    assert not Pairing.objects.exists()
    values["ends_on"] = (today + timedelta(days=90)).isoformat()
    done = client.post(reverse("resources:pairing_index"), values)
    pairing = Pairing.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("resources:pairing_detail", args=[pairing.pk])


def test_the_pairing_page_shows_flows_traceable_to_match_rows(tree, login, register, raise_demand):
    leader = _city_leader(tree)
    today = timezone.localdate()
    pairing = pairing_create(
        actor=leader,
        street_id=tree.regions["劝业场街道"].pk,
        township_id=tree.regions["渔阳镇"].pk,
        purpose="结对",
        starts_on=today,
        ends_on=today + timedelta(days=30),
        shares=[PairingShare.STREET_POOL],
    )
    water = register(capacity=4)
    demand = raise_demand(
        actor=tree.people["jz-dispatcher"],
        region_id=tree.regions["西关村"].pk,
        latitude="40.045",
        longitude="117.41",
        quantity=2,
    )
    match = Match.objects.get(run=matching_run(actor=tree.people["jz-dispatcher"], region=tree.regions["渔阳镇"]))
    assert (match.resource, match.demand) == (water, demand)
    match_offer(actor=tree.people["jz-dispatcher"], match=match)
    match_accept(actor=tree.people["volunteer"], match=match)
    match_deliver(actor=tree.people["volunteer"], match=match)
    match_confirm(actor=tree.people["jz-dispatcher"], match=match)
    client = login(tree.people["jz-dispatcher"])
    page = client.get(reverse("resources:pairing_detail", args=[pairing.pk]))
    assert page.status_code == 200
    assert f'data-resource="{water.pk}"'.encode() in page.content  # the street's shared pool, seen by the township
    assert b'data-direction="street_to_township"' in page.content
    rows = client.get(reverse("resources:pairing_flows", args=[pairing.pk]), {"direction": "street_to_township"})
    assert f'data-match="{match.pk}"'.encode() in rows.content
    detail = reverse("resources:match_detail", args=[match.pk])
    assert detail.encode() in rows.content and client.get(detail).status_code == 200
    # the street's dispatcher sees the pairing's flows but may not open the township's match: no link to a 404
    street = login(tree.people["dispatcher"])
    rows = street.get(reverse("resources:pairing_flows", args=[pairing.pk]), {"direction": "street_to_township"})
    assert f'data-match="{match.pk}"'.encode() in rows.content and detail.encode() not in rows.content
    assert street.get(detail).status_code == 404
    # someone of another street sees nothing
    other = User.objects.create_user(username="xbl", password=PASSWORD)
    RoleAssignment.objects.create(user=other, role=Role.STREET_DISPATCHER, region=tree.regions["小白楼街道"])
    assert login(other).get(reverse("resources:pairing_detail", args=[pairing.pk])).status_code == 404


def test_switching_on_from_the_page_then_raising_and_switching_off(tree, login, register):
    register(capacity=5)
    client = login(tree.people["leader"])
    refused = client.post(
        reverse("resources:emergency_index"),
        {"region": tree.regions["劝业场街道"].pk, "kind": "flood", "reason": ""},
    )
    assert refused.status_code == 400 and b'data-field="reason"' in refused.content
    done = client.post(
        reverse("resources:emergency_index"),
        {"region": tree.regions["劝业场街道"].pk, "kind": "flood", "reason": "暴雨内涝"},
    )
    period = EmergencyPeriod.objects.get()
    assert done["Location"] == reverse("resources:emergency_detail", args=[period.pk])
    page = client.get(done["Location"])
    assert b"/map/?region=120101001000&amp;emergency=1" in page.content or b"emergency=1" in page.content
    assert b'id="emergency-demand-form"' in page.content
    now = timezone.localtime().replace(second=0, microsecond=0)
    dispatcher = login(tree.people["dispatcher"])  # the street raises it (for its office)
    raised = dispatcher.post(
        reverse("resources:emergency_demand", args=[period.pk]),
        {
            "title": "转移群众饮用水",
            "priority": 0,
            "source": "emergency",
            "kind": "stockpile",
            "quantity": 3,
            "window_start": now.strftime("%Y-%m-%dT%H:%M"),
            "window_end": (now + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 0,
            "region": tree.regions["花园路社区"].pk,
            **NEAR,
        },
    )
    body = raised.content.decode()
    assert raised.status_code == 302, body[body.find("form-errors") - 50 : body.find("form-errors") + 1500]
    assert Match.objects.filter(emergency=period, state=MatchState.OFFERED, quantity=3).exists()
    client = login(tree.people["leader"])
    client.post(reverse("resources:emergency_end", args=[period.pk]), {"summary": ""})
    period.refresh_from_db()
    assert period.ended_at is None  # a summary is required
    client.post(reverse("resources:emergency_end", args=[period.pk]), {"summary": "积水排除"})
    period.refresh_from_db()
    assert period.ended_at is not None
    export = client.get(reverse("resources:emergency_record_export", args=[period.pk]))
    workbook = load_workbook(BytesIO(export.content))
    assert workbook["record"].max_row > 3


def test_an_emergency_page_is_404_out_of_scope(tree, login):
    period = emergency_start(
        actor=tree.people["leader"], region_id=tree.regions["劝业场街道"].pk, kind="fire", reason="火情"
    )
    assert (
        login(tree.people["jz-dispatcher"]).get(reverse("resources:emergency_detail", args=[period.pk])).status_code
        == 404
    )
