"""Intake's own rules: the field checks of what the request filled, tracking codes, the audit row written with
the case, and the regions an intake names kept per process."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fuhe.audit.models import AuditEvent
from fuhe.audit.services import audit_verify
from fuhe.cases.models import Case
from fuhe.cases.services import intake
from fuhe.cases.services.intake import CODE_ALPHABET, case_create, region_for_intake

pytestmark = pytest.mark.django_db


def test_the_fields_the_request_filled_are_checked_like_the_model_does(tree):
    with pytest.raises(ValidationError) as caught:
        case_create(
            actor=None,
            channel="web",
            text="路灯不亮",
            address="新华社区" * 60,
            reporter_name="王" * 61,
            reporter_phone="1" * 21,
            latitude=Decimal("39.1234567"),
            longitude=Decimal("117.1"),
        )
    errors = caught.value.message_dict
    assert {"address", "reporter_name", "reporter_phone", "latitude"} <= set(errors)
    assert "200" in errors["address"][0] and "60" in errors["reporter_name"][0]
    assert Case.objects.count() == 0  # nothing half-written


def test_coordinates_are_stored_as_the_model_cleans_them(tree):
    case = case_create(
        actor=None, channel="web", text="井盖缺失", address="新华社区", latitude=Decimal("39.12"), longitude="117.2"
    ).case
    stored = Case.objects.values("latitude", "longitude").get(pk=case.pk)
    assert stored == {"latitude": Decimal("39.120000"), "longitude": Decimal("117.200000")}
    assert isinstance(case.latitude, Decimal)


def test_tracking_codes_use_the_spoken_alphabet_and_do_not_repeat():
    codes = [intake._tracking_code() for _ in range(2000)]
    assert all(re.fullmatch(f"F[{CODE_ALPHABET}]{{9}}", code) for code in codes)
    assert len(set(codes)) == len(codes)
    assert set("".join(code[1:] for code in codes)) == set(CODE_ALPHABET)  # every character is drawn


def test_the_receipt_is_audited_with_the_case_key_and_the_chain_holds(tree):
    first = case_create(actor=None, channel="api", text="噪音扰民", address="新华社区").case
    second = case_create(actor=None, channel="api", text="占道经营", address="花园路社区").case
    events = list(AuditEvent.objects.filter(action="case.receive").order_by("seq"))
    assert [event.object_id for event in events] == [str(first.pk), str(second.pk)]
    assert all(event.object_type == "cases.case" for event in events)
    assert events[1].prev_hash == events[0].hash
    checked, breaches = audit_verify()
    assert checked >= 2 and breaches == []


def test_no_fingerprint_is_stored_without_an_idempotency_key(tree):
    plain = case_create(actor=None, channel="api", text="路灯不亮", address="新华社区").case
    keyed = case_create(actor=None, channel="api", text="路灯不亮", address="新华社区", idempotency_key="k-9").case
    assert Case.objects.get(pk=plain.pk).request_fingerprint == ""
    assert len(Case.objects.get(pk=keyed.pk).request_fingerprint) == 64


def test_a_region_read_for_intake_is_kept_and_each_caller_gets_its_own_copy(tree):
    community = tree.regions["新华社区"]
    intake.region_names_forget()
    first = region_for_intake(community.pk)
    with CaptureQueriesContext(connection) as queries:
        second = region_for_intake(str(community.pk))
    assert len(queries) == 0
    assert first == second == community and first is not second
    assert (second.code, second.name, second.level) == (community.code, community.name, community.level)
    first.name = "改名"
    assert region_for_intake(community.pk).name == community.name


def test_a_renamed_region_is_read_again_and_unknown_ids_are_none(tree):
    community = tree.regions["新华社区"]
    region_for_intake(community.pk)
    community.name = "新华里社区"
    community.save()  # a save in this process drops the kept copy
    assert region_for_intake(community.pk).name == "新华里社区"
    assert region_for_intake(999) is None and region_for_intake("abc") is None and region_for_intake(None) is None


def test_a_case_placed_by_its_address_costs_no_second_read_of_the_region(tree):
    case_create(actor=None, channel="web", text="warm-up", address="新华社区")  # the index of names is built
    with CaptureQueriesContext(connection) as queries:
        case = case_create(actor=None, channel="web", text="路灯不亮", address="花园路社区3号楼").case
    assert case.region == tree.regions["花园路社区"]
    region_reads = [q["sql"] for q in queries if "org_region" in q["sql"]]
    assert len(region_reads) == 1, region_reads  # the region by its key, with the code the audit row records
