"""A refused action is named in the reader's language (``labels.action_label``, msgctxt "case action")."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from fuhe.cases.core.lifecycle import Action
from fuhe.cases.labels import action_label
from fuhe.cases.services import lifecycle as loop

pytestmark = pytest.mark.django_db


def test_a_refusal_names_the_action_in_the_reader_s_language(tree, new_case):
    case = loop.case_dispatch(actor=tree.people["dispatcher"], case=new_case(), unit=tree.units["和平区城管委"])
    resident = tree.people["resident"]
    with translation.override("en"), pytest.raises(PermissionDenied) as english:
        loop.case_transition(actor=resident, case=case, action="accept")
    assert str(english.value) == "You may not sign for this case."
    with translation.override("zh-hans"):
        zh = action_label(Action.ACCEPT)
        with pytest.raises(PermissionDenied) as chinese:
            loop.case_transition(actor=resident, case=case, action="accept")

    assert str(chinese.value) == f"您无权对此工单执行“{zh}”。" and "sign" not in str(chinese.value)
