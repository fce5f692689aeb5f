"""The volunteer pages: each role sees its part; refusals show a clear error and write nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fuhe.participation.models import Certification, Entry, RequestState, Transaction
from fuhe.participation.services import service_record_create, service_record_sign, service_request_take

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("certification_check")]


@pytest.fixture
def as_user(client, login):
    def _as(user):
        login(user)
        return client

    return _as


def test_the_volunteers_page(tree, justice, certify, post_request, as_user):
    volunteer = tree.people["volunteer"]
    certify(volunteer, justice)
    legal = post_request()
    medical = post_request(field="medical", title="健康上门")
    page = as_user(volunteer).get(reverse("participation:home"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="nav-volunteering"' in html and 'id="points-balance" data-balance="0"' in html
    assert f'data-request="{legal.pk}"' in html and f'data-request="{medical.pk}"' not in html
    assert 'id="link-request-new"' not in html


def test_the_community_workers_page_and_posting(tree, owner, as_user, committee):
    client = as_user(owner)
    page = client.get(reverse("participation:home"))
    assert page.status_code == 200 and 'id="managed-requests"' in page.content.decode()
    form = client.get(reverse("participation:request_new"))
    assert form.status_code == 200
    data = {
        "unit": committee.pk,
        "title": "法律咨询",
        "field": "legal",
        "min_level": 1,
        "region": tree.regions["花园路社区"].pk,
        "place": "党群服务中心",
        "starts_at": "2026-06-01T09:00",
        "expected_hours": "2",
        "points_per_hour": 10,
    }
    response = client.post(reverse("participation:request_new"), data)
    assert response.status_code == 302
    bad = client.post(reverse("participation:request_new"), {**data, "expected_hours": "30"})
    assert bad.status_code == 400 and 'id="form-error"' in bad.content.decode()


def test_a_resident_cannot_post_and_a_volunteer_cannot_certify(tree, as_user):
    client = as_user(tree.people["resident"])
    assert client.get(reverse("participation:request_new")).status_code == 403
    assert client.get(reverse("participation:certifications")).status_code == 403


def test_an_uncertified_volunteer_is_refused_with_a_clear_error(tree, post_request, as_user):
    request = post_request()
    client = as_user(tree.people["resident"])
    detail = client.get(reverse("participation:request_detail", args=[request.pk]))
    assert detail.status_code == 200 and 'id="not-certified"' in detail.content.decode()
    response = client.post(reverse("participation:request_take", args=[request.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and 'id="action-error"' in response.content.decode()
    request.refresh_from_db()
    assert request.state == RequestState.OPEN


def _served(tree, justice, certify, post_request):
    volunteer = tree.people["volunteer"]
    certify(volunteer, justice)
    request = post_request()
    service_request_take(actor=volunteer, request=request)
    record = service_record_create(
        actor=volunteer,
        request=request,
        content="法律咨询",
        place="党群服务中心",
        started_at=timezone.now() - timedelta(hours=3),
        hours="2",
    )
    return request, record


def test_signing_needs_the_confirmation(tree, justice, certify, post_request, owner, as_user):
    request, _record = _served(tree, justice, certify, post_request)
    client = as_user(owner)
    response = client.post(reverse("participation:record_sign", args=[request.pk]), {})
    assert response.status_code == 400 and Transaction.objects.count() == 0
    response = client.post(reverse("participation:record_sign", args=[request.pk]), {"confirmed": "on"})
    assert response.status_code == 302 and Transaction.objects.count() == 1


def test_a_correction_through_the_page(tree, justice, certify, post_request, owner, as_user):
    request, record = _served(tree, justice, certify, post_request)
    client = as_user(owner)
    url = reverse("participation:record_correct", args=[request.pk])
    assert client.post(url, {"field": "hours", "new_value": "1.5", "reason": ""}).status_code == 400
    assert client.post(url, {"field": "hours", "new_value": "1.5", "reason": "签到表"}).status_code == 302
    page = client.get(reverse("participation:request_detail", args=[request.pk])).content.decode()
    assert 'id="corrections"' in page and "签到表" in page


def test_a_redemption_above_the_balance_writes_nothing(tree, earn, haircut, as_user):
    volunteer = tree.people["volunteer"]
    earn(points=20)
    client = as_user(volunteer)
    before = (Transaction.objects.count(), Entry.objects.count())
    response = client.post(reverse("participation:catalogue"), {"item": haircut.pk, "quantity": 1})
    assert response.status_code == 400 and 'id="redeem-error"' in response.content.decode()
    htmx = client.post(reverse("participation:catalogue"), {"item": haircut.pk, "quantity": 1}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and 'id="redeem-error"' in htmx.content.decode()
    assert "<html" not in htmx.content.decode()
    assert (Transaction.objects.count(), Entry.objects.count()) == before
    haircut.refresh_from_db()
    assert haircut.stock == 2


def test_a_redemption_within_the_balance(tree, earn, haircut, as_user):
    earn(points=40)
    response = as_user(tree.people["volunteer"]).post(
        reverse("participation:catalogue"), {"item": haircut.pk, "quantity": 1}
    )
    assert response.status_code == 200 and 'id="redeem-done"' in response.content.decode()
    assert 'data-balance="10"' in response.content.decode()


def test_the_issuing_body_certifies_and_revokes(tree, justice, as_user):
    client = as_user(justice)
    assert client.get(reverse("participation:certifications")).status_code == 200
    today = timezone.localdate()
    data = {
        "volunteer": "volunteer",
        "issuer": tree.units["和平区法律援助中心"].pk,
        "field": "legal",
        "level": 2,
        "evidence": "法律职业资格证",
        "valid_from": today.isoformat(),
        "valid_until": (today + timedelta(days=365)).isoformat(),
    }
    assert client.post(reverse("participation:certifications"), data).status_code == 302
    certification = Certification.objects.get()
    unknown = client.post(reverse("participation:certifications"), {**data, "volunteer": "nobody"})
    assert unknown.status_code == 400 and Certification.objects.count() == 1
    url = reverse("participation:certification_revoke", args=[certification.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "资格失效"}).status_code == 302
    certification.refresh_from_db()
    assert certification.revoked_at is not None


def test_the_certificate_of_service(tree, justice, certify, post_request, owner, as_user):
    _request, record = _served(tree, justice, certify, post_request)
    service_record_sign(actor=owner, record=record, confirmed=True)
    client = as_user(tree.people["volunteer"])
    workbook = client.get(reverse("participation:certificate", args=["xlsx"]))
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert "法律咨询" in values and "2.0" in values
    pdf = client.get(reverse("participation:certificate", args=["pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert as_user(owner).get(reverse("participation:certificate", args=["pdf"])).status_code == 403


def test_a_request_from_a_volunteer_skill_demand(tree, owner, committee, as_user):
    from fuhe.resources.models import Demand

    now = timezone.now()
    fields = {
        "source": "plan",
        "priority": 1,
        "quantity": 1,
        "window_start": now,
        "window_end": now + timedelta(days=3),
        "region": tree.regions["花园路社区"],
        "requester": committee,
        "created_by": owner,
        "created_at": now,
    }
    demand = Demand.objects.create(title="独居老人心理疏导", kind="volunteer_skill", skill="psychological", **fields)
    vehicle = Demand.objects.create(title="车辆", kind="vehicle", **fields)
    client = as_user(owner)
    page = client.get(reverse("participation:request_new"), {"demand": demand.pk})
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["title"] == "独居老人心理疏导" and form.initial["field"] == "psychological"
    assert client.get(reverse("participation:request_new"), {"demand": vehicle.pk}).status_code == 404
    data = {
        "unit": committee.pk,
        "title": "独居老人心理疏导",
        "field": "psychological",
        "min_level": 1,
        "region": tree.regions["花园路社区"].pk,
        "place": "3号楼",
        "starts_at": "2026-06-01T09:00",
        "expected_hours": "1",
        "points_per_hour": 10,
        "demand": demand.pk,
    }
    assert client.post(reverse("participation:request_new") + f"?demand={demand.pk}", data).status_code == 302
    from fuhe.participation.models import ServiceRequest

    assert ServiceRequest.objects.get().demand == demand


def test_a_community_worker_offers_an_item(tree, owner, committee, as_user):
    from fuhe.audit.models import AuditEvent
    from fuhe.participation.models import RedemptionItem

    client = as_user(owner)
    assert 'id="offer-form"' in client.get(reverse("participation:catalogue")).content.decode()
    data = {"action": "offer", "owner": committee.pk, "name": "社区理发", "points": 30, "stock": 10}
    assert client.post(reverse("participation:catalogue"), {**data, "points": 0}).status_code == 400
    assert RedemptionItem.objects.count() == 0
    assert client.post(reverse("participation:catalogue"), data).status_code == 302
    item = RedemptionItem.objects.get()
    assert (item.owner, item.points, item.stock) == (committee, 30, 10)
    assert AuditEvent.objects.filter(action="participation.redemption_item_created").count() == 1
    resident = as_user(tree.people["resident"])
    assert 'id="offer-form"' not in resident.get(reverse("participation:catalogue")).content.decode()
    assert resident.post(reverse("participation:catalogue"), data).status_code == 400
    assert RedemptionItem.objects.count() == 1
