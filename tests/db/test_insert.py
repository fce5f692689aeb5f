"""``fuhe.db.insert``/``prepare``: the compiled one-row INSERT stores exactly what ``save()`` stores."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from fuhe.cases.models import Case, CaseEvent
from fuhe.db import insert, prepare

pytestmark = pytest.mark.django_db

RECEIVED = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)


def _case(tree, code: str, **fields) -> Case:
    values = {
        "tracking_code": code,
        "access_token_hash": "a" * 64,
        "channel": "api",
        "request_type": "help",
        "title": "路灯不亮",
        "text": "小区门口路灯坏了三天",
        "address": "花园路社区3号楼",
        "latitude": Decimal("39.123456"),
        "longitude": Decimal("117.654321"),
        "region": tree.regions["花园路社区"],
        "created_at": RECEIVED,
        "routing": {"note": "测试", "n": [1, 2]},
        "reporter_phone": "13900001234",
        "is_public": False,
        "extension_pending_days": 3,
    }
    return Case(**{**values, **fields})


def _row(case: Case) -> dict:
    row = Case.objects.filter(pk=case.pk).values().get()
    return {name: value for name, value in row.items() if name not in ("id", "tracking_code")}


def test_insert_stores_what_save_stores(tree):
    saved = _case(tree, "FSAVED0001")
    saved.save(force_insert=True)
    inserted = insert(_case(tree, "FINSERT001"))
    assert inserted.pk is not None and inserted.pk != saved.pk and not inserted._state.adding
    assert _row(inserted) == _row(saved)  # JSON, datetimes, decimals, foreign keys, NULLs, booleans, defaults


def test_a_value_of_another_type_is_still_converted_by_its_field(tree):
    case = insert(_case(tree, "FTYPES0001", title=12345, hop_count="2", latitude=39.5, is_proactive=1))
    row = Case.objects.values("title", "hop_count", "latitude", "is_proactive").get(pk=case.pk)
    assert row == {"title": "12345", "hop_count": 2, "latitude": Decimal("39.500000"), "is_proactive": True}


def test_a_prepared_row_takes_a_key_known_only_later(tree):
    case = _case(tree, "FPREPARE01")
    event_row = prepare(CaseEvent(case=case, at=RECEIVED, action="receive", to_state="received"))
    case_row = prepare(case)
    assert case.pk is None
    case_row.execute()
    event_row.set("case_id", case.pk)
    event = event_row.execute()
    assert CaseEvent.objects.get(pk=event.pk).case_id == case.pk
    assert list(case.events.values_list("action", flat=True)) == ["receive"]
