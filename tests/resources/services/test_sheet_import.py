import io

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from fuhe.resources.exports import resources_workbook
from fuhe.resources.models import AvailabilityWindow, Resource, ResourceKind
from fuhe.resources.services import ResourceError, ResourceImportError, resources_import_xlsx

HEADER = ["名称", "类型", "数量", "纬度", "经度", "技能", "联系电话", "可用时段", "有效期至"]
GOOD = ["会议室", "space", 4, 39.12, 117.2, "", "13912345678", "2026-12-01 08:00~2026-12-01 18:00", None]


def _book(*rows, header=HEADER) -> io.BytesIO:
    workbook = Workbook()
    workbook.active.append(header)
    for row in rows:
        workbook.active.append(row)
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    return data


def _import(tree, data):
    return resources_import_xlsx(
        actor=tree.people["volunteer"], owner_id=tree.units["劝业场街道志愿服务队"].pk, file=data
    )


def test_good_rows_are_registered(tree):
    rows = [
        GOOD,
        ["矿泉水", "stockpile item", 200, 39.12, 117.2, "", "", "", "2027-06-30"],
        ["搬运", "volunteer_skill", 6, 39.1, 117.2, "搬运、驾驶", "", "", None],
    ]
    created = _import(tree, _book(*rows))
    assert [r.kind for r in created] == [ResourceKind.SPACE, ResourceKind.STOCKPILE, ResourceKind.VOLUNTEER_SKILL]
    assert Resource.objects.count() == 3
    assert AvailabilityWindow.objects.count() == 1
    assert Resource.objects.get(name="搬运").skills == ["搬运", "驾驶"]
    assert str(Resource.objects.get(name="矿泉水").expires_on) == "2027-06-30"


def test_a_bad_row_is_named_and_nothing_is_written(tree):
    bad_capacity = ["面包车", "vehicle", -1, 39.12, 117.2, "", "", "", None]
    bad_window = ["礼堂", "space", 2, 39.12, 117.2, "", "", "2026-12-01 18:00~2026-12-01 08:00", None]
    bad_kind = ["飞船", "spaceship", 1, 39.12, 117.2, "", "", "", None]
    with translation.override("en"), pytest.raises(ResourceImportError) as error:
        _import(tree, _book(GOOD, bad_capacity, bad_window, bad_kind))
    found = {(e.row, e.field): e.reason for e in error.value.errors}
    assert found == {
        (3, "capacity"): "The capacity cannot be negative.",
        (4, "windows"): "The time window ends before it starts.",
        (5, "kind"): "Choose one of the listed values.",
    }
    with translation.override("en"):
        assert error.value.messages[0] == "Row 3, column “数量”: The capacity cannot be negative."
    assert not Resource.objects.exists()


def test_a_bad_header_and_a_bad_file(tree):
    with translation.override("en"), pytest.raises(ResourceImportError) as error:
        _import(tree, _book(GOOD, header=["名称", "颜色", "数量"]))
    assert {(e.row, e.field) for e in error.value.errors} == {(1, "颜色"), (1, "kind")}
    with pytest.raises(ResourceImportError):
        _import(tree, io.BytesIO(b"not a workbook"))
    assert not Resource.objects.exists()


def test_import_for_a_unit_one_does_not_act_for_is_refused(tree, owner_xbl):
    with pytest.raises(ResourceError) as error:
        resources_import_xlsx(actor=owner_xbl, owner_id=tree.units["劝业场街道志愿服务队"].pk, file=_book(GOOD))
    assert "owner" in error.value.message_dict
    assert not Resource.objects.exists()


def test_export_round_trips_and_masks_phones(tree):
    _import(tree, _book(GOOD))
    data = io.BytesIO()
    resources_workbook(user=tree.people["dispatcher"]).save(data)
    data.seek(0)
    rows = list(load_workbook(data).active.iter_rows(values_only=True))
    assert rows[1][0] == "会议室"
    assert "139****5678" in rows[1]
    assert "13912345678" not in rows[1]
    # the exported file reads back (the masked phone is only a label)
    Resource.objects.all().delete()
    data.seek(0)
    assert len(_import(tree, data)) == 1
