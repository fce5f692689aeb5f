"""The privacy service: intake is private by default, the public summary, the audited reveal."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fuhe.audit.models import AuditEvent
from fuhe.cases.services.intake import case_create
from fuhe.cases.services.privacy import case_personal_data_reveal, public_summary


def test_case_create_is_private_by_default(tree):
    case = case_create(actor=None, channel="hotline", text="路灯不亮", region=tree.regions["花园路社区"]).case
    assert case.is_public is False


def test_public_summary_is_the_redacted_text_and_place():
    summary = public_summary(text="我叫张三，电话13912345678", address="花园路3号楼2单元501室")
    assert summary.text == "我叫张*，电话139****5678" and summary.place == "花园路3号楼*单元***室"


def test_reveal_checks_the_permission_and_the_field(tree, new_case):
    case = new_case()
    with pytest.raises(PermissionDenied):
        case_personal_data_reveal(actor=tree.people["community"], case=case, field="reporter_phone")
    with pytest.raises(ValidationError):
        case_personal_data_reveal(actor=tree.people["dispatcher"], case=case, field="access_token_hash")
    assert not AuditEvent.objects.filter(action="case.reporter_phone.view").exists()  # a refusal records nothing
    phone = case_personal_data_reveal(actor=tree.people["dispatcher"], case=case, field="reporter_phone")
    assert phone == "13912345678"
    assert AuditEvent.objects.filter(action="case.reporter_phone.view", object_id=str(case.pk)).count() == 1
