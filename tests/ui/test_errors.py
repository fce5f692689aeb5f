"""A refused request reads in the reader's language: the field's label and the message, translated."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import translation

from fuhe.ui.errors import error_text, in_language


def test_a_field_error_names_the_field_in_chinese_by_default():
    with translation.override("zh-hans"):
        exc = ValidationError({"reason": translation.gettext("Say why the departments are summoned.")})
        assert error_text(exc) == "理由：请说明吹哨召集部门的原因。"
        assert error_text(exc, with_fields=False) == "请说明吹哨召集部门的原因。"


def test_the_same_error_in_english():
    with translation.override("en"):
        exc = ValidationError({"reason": translation.gettext("Say why the departments are summoned.")})
        assert error_text(exc) == "Reason: Say why the departments are summoned."


def test_several_fields_are_joined_in_the_reader_language():
    with translation.override("zh-hans"):
        assert error_text(ValidationError({"unit": "甲", "days": "乙"})) == "单位：甲；天数：乙"


def test_a_bilingual_core_message_shows_the_reader_half():
    message = "“已受理”的工单不能退单：请填写理由。 / Cannot return a case that is received: a reason is required."
    with translation.override("zh-hans"):
        assert in_language(message) == "“已受理”的工单不能退单：请填写理由。"
        assert error_text(Exception(message)) == "“已受理”的工单不能退单：请填写理由。"
    with translation.override("en"):
        assert in_language(message) == "Cannot return a case that is received: a reason is required."


def test_a_plain_message_is_left_alone():
    assert in_language("a/b 路径") == "a/b 路径"
    assert in_language("only English / still English") == "only English / still English"
