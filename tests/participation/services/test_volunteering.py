"""Service requests and records: only the certified take; records with who/what/when/where/hours, free of charge;
the owner's counter-signature credits the points; corrections are entries with a reason; fraud checks."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from fuhe.audit.models import AuditEvent
from fuhe.participation.models import (
    AppendOnlyError,
    Entry,
    RequestState,
    ServiceRecord,
    ServiceRecordCorrection,
    ServiceRequest,
    ServiceRequestEvent,
    Transaction,
)
from fuhe.participation.selectors import account_balance, account_of_person, record_current
from fuhe.participation.services import (
    LedgerError,
    VolunteeringError,
    certification_revoke,
    points_earning_post,
    service_record_correct,
    service_record_create,
    service_record_sign,
    service_request_cancel,
    service_request_release,
    service_request_take,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("certification_check")]


def _counts():
    return (
        ServiceRecord.objects.count(),
        ServiceRecordCorrection.objects.count(),
        ServiceRequestEvent.objects.count(),
        Transaction.objects.count(),
        Entry.objects.count(),
        AuditEvent.objects.count(),
    )


def refused(call, error=VolunteeringError) -> dict[str, list[str]]:
    before = _counts()
    with translation.override("en"), pytest.raises(error) as caught:
        call()
    assert _counts() == before
    return caught.value.message_dict


def _record(request, volunteer, *, hours="2", started_at=None):
    return service_record_create(
        actor=volunteer,
        request=request,
        content="为居民解答租赁合同问题",
        place="花园路社区党群服务中心",
        started_at=started_at or timezone.now() - timedelta(hours=4),
        hours=hours,
    )


@pytest.fixture
def certified(tree, justice, certify):
    volunteer = tree.people["volunteer"]
    certify(volunteer, justice)
    return volunteer


def test_the_whole_loop_credits_points_once_signed(tree, certified, post_request, owner, committee):
    request = post_request()
    service_request_take(actor=certified, request=request)
    assert request.state == RequestState.TAKEN and request.volunteer == certified
    record = _record(request, certified, hours="2")
    request.refresh_from_db()
    assert request.state == RequestState.RECORDED and record.is_free_of_charge
    earning = service_record_sign(actor=owner, record=record, confirmed=True)
    request.refresh_from_db()
    assert request.state == RequestState.SIGNED
    assert earning.counter_signer == owner and earning.reference == f"participation.servicerecord:{record.pk}"
    assert account_balance(account=account_of_person(person=certified)) == 20
    assert list(request.events.values_list("action", flat=True)) == ["post", "take", "record", "sign"]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"participation.service_request_posted", "participation.service_recorded"} <= actions
    assert "participation.service_record_signed" in actions


def test_an_uncertified_volunteer_cannot_take_a_legal_aid_request(tree, post_request):
    request = post_request()
    errors = refused(lambda: service_request_take(actor=tree.people["resident"], request=request))
    assert "legal aid certification" in errors["certification"][0]
    request.refresh_from_db()
    assert request.state == RequestState.OPEN and request.volunteer is None


def test_a_general_task_needs_no_certification(tree, post_request):
    request = post_request(field="general")
    service_request_take(actor=tree.people["resident"], request=request)
    assert request.state == RequestState.TAKEN


def test_a_medical_certification_does_not_grant_legal_aid(tree, health, certify, post_request):
    certify(tree.people["resident"], health, field="medical")
    legal = post_request()
    assert "certification" in refused(lambda: service_request_take(actor=tree.people["resident"], request=legal))
    medical = post_request(field="medical", title="老人健康上门")
    service_request_take(actor=tree.people["resident"], request=medical)


def test_a_revoked_or_expired_certification_grants_nothing(tree, justice, certify, post_request):
    volunteer = tree.people["volunteer"]
    certification = certify(volunteer, justice)
    certification_revoke(actor=justice, certification=certification, reason="违规")
    request = post_request()
    assert "certification" in refused(lambda: service_request_take(actor=volunteer, request=request))
    today = timezone.localdate()
    certify(tree.people["resident"], justice, valid_from=today - timedelta(400), valid_until=today - timedelta(1))
    assert "certification" in refused(lambda: service_request_take(actor=tree.people["resident"], request=request))


def test_the_level_matters(tree, justice, certify, post_request):
    certify(tree.people["volunteer"], justice, level=1)
    request = post_request(min_level=2)
    assert "certification" in refused(lambda: service_request_take(actor=tree.people["volunteer"], request=request))


def test_staff_do_not_take_tasks(tree, post_request):
    request = post_request("general")
    assert "volunteer" in refused(lambda: service_request_take(actor=tree.people["grid"], request=request))


def test_a_taken_request_cannot_be_taken_again(tree, certified, justice, certify, post_request):
    request = post_request()
    service_request_take(actor=certified, request=request)
    certify(tree.people["resident"], justice)
    errors = refused(lambda: service_request_take(actor=tree.people["resident"], request=request))
    assert "cannot be changed" in errors["state"][0]


def test_release_and_cancel(tree, certified, post_request, owner):
    request = post_request()
    service_request_take(actor=certified, request=request)
    assert "volunteer" in refused(lambda: service_request_release(actor=tree.people["resident"], request=request))
    service_request_release(actor=certified, request=request)
    assert request.state == RequestState.OPEN and request.volunteer is None
    assert "reason" in refused(lambda: service_request_cancel(actor=owner, request=request, reason=""))
    assert "owner" in refused(lambda: service_request_cancel(actor=certified, request=request, reason="x"))
    service_request_cancel(actor=owner, request=request, reason="居民已自行解决")
    assert ServiceRequest.objects.get(pk=request.pk).state == RequestState.CANCELLED


def test_an_earning_without_the_owners_signature_is_refused(tree, certified, post_request, owner):
    request = post_request()
    service_request_take(actor=certified, request=request)
    record = _record(request, certified)
    errors = refused(lambda: service_record_sign(actor=owner, record=record, confirmed=False), LedgerError)
    assert errors["counter_signer"] == ["An earning needs the counter-signature of the task's owner."]
    # the volunteer signing their own record is self-approval; another worker is not the owner
    errors = refused(lambda: service_record_sign(actor=certified, record=record, confirmed=True), LedgerError)
    assert "self-approval" in errors["counter_signer"][0]
    errors = refused(lambda: service_record_sign(actor=tree.people["grid"], record=record, confirmed=True), LedgerError)
    assert errors["counter_signer"] == ["Only the task's owner can counter-sign this earning."]
    assert ServiceRequest.objects.get(pk=request.pk).state == RequestState.RECORDED


def test_a_duplicate_claim_is_refused(tree, certified, post_request, owner):
    request = post_request()
    service_request_take(actor=certified, request=request)
    record = _record(request, certified)
    service_record_sign(actor=owner, record=record, confirmed=True)
    record.refresh_from_db()
    errors = refused(lambda: service_record_sign(actor=owner, record=record, confirmed=True), LedgerError)
    assert "already credited" in errors["reference"][0]


def test_the_same_hours_cannot_be_recorded_twice(tree, certified, post_request):
    start = timezone.now() - timedelta(hours=6)
    first, second = post_request(), post_request(title="第二次咨询")
    service_request_take(actor=certified, request=first)
    service_request_take(actor=certified, request=second)
    _record(first, certified, started_at=start, hours="2")
    errors = refused(lambda: _record(second, certified, started_at=start + timedelta(hours=1), hours="1"))
    assert "overlap" in errors["started_at"][0]
    _record(second, certified, started_at=start + timedelta(hours=2), hours="1")


def test_earning_outside_certification_is_refused_at_signing(tree, justice, certify, post_request, owner):
    volunteer = tree.people["volunteer"]
    certification = certify(volunteer, justice)
    request = post_request()
    service_request_take(actor=volunteer, request=request)
    record = _record(request, volunteer)
    certification_revoke(actor=justice, certification=certification, reason="资格已撤销")
    errors = refused(lambda: service_record_sign(actor=owner, record=record, confirmed=True), LedgerError)
    assert "certification" in errors["service_field"][0]


def test_the_ledger_hook_refuses_an_uncertified_earning(tree, owner, committee):
    errors = refused(
        lambda: points_earning_post(
            actor=owner,
            earner=tree.people["resident"],
            issuer=committee,
            points=10,
            reference="participation.servicerecord:999",
            task_owner=owner,
            service_field="legal",
        ),
        LedgerError,
    )
    assert "certification" in errors["service_field"][0]


def test_record_checks(tree, certified, post_request):
    request = post_request()
    assert "volunteer" in refused(lambda: _record(request, certified))  # not taken yet
    service_request_take(actor=certified, request=request)
    assert "hours" in refused(lambda: _record(request, certified, hours="25"))
    assert "hours" in refused(lambda: _record(request, certified, hours="abc"))
    future = timezone.now() + timedelta(days=1)
    assert "started_at" in refused(lambda: _record(request, certified, started_at=future))


def test_a_correction_is_an_entry_with_a_reason_and_the_record_stays(tree, certified, post_request, owner):
    request = post_request()
    service_request_take(actor=certified, request=request)
    record = _record(request, certified, hours="2")
    assert "reason" in refused(
        lambda: service_record_correct(actor=owner, record=record, field="hours", new_value="3", reason="")
    )
    assert "owner" in refused(
        lambda: service_record_correct(actor=certified, record=record, field="hours", new_value="3", reason="多报")
    )
    assert "new_value" in refused(
        lambda: service_record_correct(actor=owner, record=record, field="hours", new_value="2", reason="同值")
    )
    service_record_correct(actor=owner, record=record, field="hours", new_value="1.5", reason="签到表为1.5小时")
    record.refresh_from_db()
    assert record.hours == Decimal("2")  # the original stays
    assert record_current(record).hours == Decimal("1.5")
    correction = record.corrections.get()
    assert (correction.old_value, correction.new_value, correction.reason) == ("2.0", "1.5", "签到表为1.5小时")
    with pytest.raises(AppendOnlyError):
        ServiceRecordCorrection.objects.all().update(reason="x")
    record.hours = Decimal(5)
    with pytest.raises(AppendOnlyError):
        record.save()
    earning = service_record_sign(actor=owner, record=record, confirmed=True)
    assert -sum(e.amount for e in earning.entries.all() if e.amount < 0) == 15


def test_correcting_hours_after_signing_reverses_and_credits_again(tree, certified, post_request, owner):
    request = post_request()
    service_request_take(actor=certified, request=request)
    record = _record(request, certified, hours="3")
    first = service_record_sign(actor=owner, record=record, confirmed=True)
    account = account_of_person(person=certified)
    assert account_balance(account=account) == 30
    service_record_correct(actor=owner, record=record, field="hours", new_value="2", reason="实际2小时")
    record.refresh_from_db()
    assert account_balance(account=account) == 20
    assert Transaction.objects.filter(reverses=first).exists() and record.earning_id != first.pk
    service_record_correct(actor=owner, record=record, field="content", new_value="法律咨询与合同审阅", reason="补充")
    assert account_balance(account=account) == 20
    assert record_current(record).content == "法律咨询与合同审阅"


def test_a_demand_of_another_kind_is_not_a_volunteer_task(tree, post_request, owner, committee):
    from fuhe.resources.models import Demand

    demand = Demand(kind="vehicle", title="x")
    errors = refused(lambda: post_request(demand=demand))
    assert "demand" in errors


def test_posting_needs_a_poster_acting_for_the_unit(tree, post_request):
    assert "unit" in refused(lambda: post_request(actor=tree.people["volunteer"]))
    assert "region" in refused(lambda: post_request(region=tree.regions["五大道社区"]))
