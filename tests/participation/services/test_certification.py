"""Certification: issued only by the recognised body, with evidence and expiry; revoked with a reason; its history
append-only; what it grants ends with its expiry or revocation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.utils import timezone, translation

from fuhe.audit.models import AuditEvent
from fuhe.participation.models import AppendOnlyError, Certification, CertificationEvent
from fuhe.participation.rules import certification_grants
from fuhe.participation.services import CertificationError, certification_revoke

pytestmark = pytest.mark.django_db


def refused(call) -> dict[str, list[str]]:
    before = (Certification.objects.count(), CertificationEvent.objects.count(), AuditEvent.objects.count())
    with translation.override("en"), pytest.raises(CertificationError) as error:
        call()
    assert (Certification.objects.count(), CertificationEvent.objects.count(), AuditEvent.objects.count()) == before
    return error.value.message_dict


def test_the_justice_bureau_certifies_a_legal_volunteer(tree, justice, certify):
    volunteer = tree.people["volunteer"]
    assert not certification_grants(volunteer, "legal")
    certification = certify(volunteer, justice, level=2)
    assert certification_grants(volunteer, "legal", min_level=2)
    assert not certification_grants(volunteer, "legal", min_level=3)
    assert not certification_grants(volunteer, "medical")
    assert list(certification.events.values_list("action", flat=True)) == ["issued"]
    event = AuditEvent.objects.get(action="participation.certification_issued")
    assert event.object_id == str(certification.pk) and event.actor_id == justice.pk


def test_an_issuer_of_the_wrong_kind_is_refused(tree, justice, certify):
    errors = refused(lambda: certify(tree.people["volunteer"], justice, field="medical"))
    assert "not a recognised issuer" in errors["issuer"][0]


def test_only_someone_acting_for_the_issuer(tree, justice, health, certify):
    from fuhe.participation.services import certification_issue

    errors = refused(
        lambda: certification_issue(
            actor=health,
            volunteer=tree.people["volunteer"],
            issuer=tree.units["和平区法律援助中心"],
            field="legal",
            level=1,
            evidence="x",
            valid_from=timezone.localdate(),
            valid_until=timezone.localdate(),
        )
    )
    assert errors["issuer"] == ["You do not act for this issuing body."]


def test_staff_are_not_certified_and_the_window_is_checked(tree, justice, certify):
    assert "Staff" in refused(lambda: certify(tree.people["grid"], justice))["volunteer"][0]
    today = timezone.localdate()
    errors = refused(
        lambda: certify(tree.people["volunteer"], justice, valid_from=today, valid_until=today - timedelta(1))
    )
    assert errors["valid_until"] == ["The certification ends before it starts."]


def test_an_evidence_file_is_kept_and_checked(tree, justice, settings, tmp_path):
    from fuhe.participation.services import certification_issue

    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    kwargs = {
        "actor": justice,
        "volunteer": tree.people["volunteer"],
        "issuer": tree.units["和平区法律援助中心"],
        "field": "legal",
        "level": 1,
        "evidence": "法律职业资格证",
        "valid_from": today,
        "valid_until": today,
    }
    bad = SimpleUploadedFile("evidence.exe", b"MZ")
    assert "evidence_file" in refused(lambda: certification_issue(**kwargs, evidence_file=bad))
    good = SimpleUploadedFile("evidence.pdf", b"%PDF-1.4")
    certification = certification_issue(**kwargs, evidence_file=good)
    assert certification.evidence_file.name.endswith(".pdf")


def test_expiry_ends_the_grant(tree, justice, certify):
    volunteer = tree.people["volunteer"]
    today = timezone.localdate()
    certify(volunteer, justice, valid_from=today - timedelta(days=400), valid_until=today - timedelta(days=1))
    assert not certification_grants(volunteer, "legal")
    assert certification_grants(volunteer, "legal", day=today - timedelta(days=1))


def test_revocation_ends_the_grant_and_is_kept_in_the_history(tree, justice, certify):
    volunteer = tree.people["volunteer"]
    certification = certify(volunteer, justice)
    assert "reason" in refused(lambda: certification_revoke(actor=justice, certification=certification, reason=" "))
    certification_revoke(actor=justice, certification=certification, reason="执业证被吊销")
    assert not certification_grants(volunteer, "legal")
    assert list(certification.events.values_list("action", "reason")) == [("issued", ""), ("revoked", "执业证被吊销")]
    errors = refused(lambda: certification_revoke(actor=justice, certification=certification, reason="again"))
    assert "already revoked" in errors["certification"][0]


def test_the_history_and_the_certification_are_never_rewritten(tree, justice, certify):
    certification = certify(tree.people["volunteer"], justice)
    event = certification.events.get()
    with pytest.raises(AppendOnlyError):
        CertificationEvent.objects.all().delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CertificationEvent.objects.filter(pk=event.pk).values("pk")  # a plain read is fine
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("UPDATE participation_certificationevent SET reason = 'x'")
    certification.level = 3
    with pytest.raises(AppendOnlyError):
        certification.save()
