"""Notifications and messages are written in the platform's language (zh-Hans), whatever the language of the
request that caused them: they are read later, and an SMS goes out in Chinese."""

from __future__ import annotations

import pytest
from django.utils import translation

from fuhe.cases.models import Notification
from fuhe.cases.services.actions import case_perform

pytestmark = pytest.mark.django_db


def test_a_dispatch_made_in_english_notifies_the_unit_in_chinese(tree, new_case):
    case = new_case(region=tree.regions["花园路社区第1网格"])
    with translation.override("en"):
        case_perform(actor=tree.people["dispatcher"], case=case, action="dispatch", unit=tree.units["和平区城管委"].pk)
    texts = list(Notification.objects.filter(recipient=tree.people["handler"]).values_list("text", flat=True))
    assert texts == [f"新工单 {case.tracking_code}：{case.title}"]


def test_a_refusal_is_in_the_reader_language(tree, new_case):
    from django.core.exceptions import ValidationError

    case = new_case(region=tree.regions["花园路社区第1网格"])
    expected_in = {"zh-hans": "请说明吹哨召集部门的原因。", "en": "Say why the departments are summoned."}
    for language, expected in expected_in.items():
        with translation.override(language), pytest.raises(ValidationError) as refused:
            case_perform(
                actor=tree.people["dispatcher"],
                case=case,
                action="whistle",
                departments=[tree.units["和平区城管委"].pk],
                reason="",
            )
        assert refused.value.message_dict == {"reason": [expected]}
