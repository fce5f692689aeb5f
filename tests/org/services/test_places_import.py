"""The place gazetteer import: CSV or Excel, every row checked, all or nothing, errors naming row and field."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from fuhe.audit.models import AuditEvent
from fuhe.org.core.places import geometry_of
from fuhe.org.models import Place
from fuhe.org.services import PlacesImportError, district_geometry_build, places_import

pytestmark = pytest.mark.django_db


def _csv(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


def test_a_csv_is_imported_by_code_by_name_and_again_as_an_update(tree):
    district = tree.regions["和平区"]
    data = "名称,区域,纬度,经度,别名\n滨江道小区,花园路社区,,,滨江小区、老滨江\n第一中学,120101001002,,,\n"
    result = places_import(actor=tree.people["admin"], district=district, file=_csv(data), filename="p.csv")
    assert (result.created, result.updated) == (2, 0)
    place = Place.objects.get(name="滨江道小区")
    assert place.region == tree.regions["花园路社区"] and place.aliases == ["滨江小区", "老滨江"]
    assert Place.objects.get(name="第一中学").region == tree.regions["新华社区"]
    again = places_import(actor=None, district=district, file=_csv(data.replace("老滨江", "滨江")), filename="p.csv")
    assert (again.created, again.updated) == (0, 2)
    assert Place.objects.get(name="滨江道小区").aliases == ["滨江小区", "滨江"]
    assert AuditEvent.objects.filter(action="org.places_imported").count() == 2


def test_a_point_without_a_region_is_placed_by_the_boundaries(tree):
    district = tree.regions["和平区"]
    district_geometry_build(actor=None, region=district)
    garden = tree.regions["花园路社区第1网格"]
    garden.refresh_from_db()
    point = geometry_of(garden.geometry).point_on_surface()
    data = f"name,lat,lon\n花园里小区,{point.y:.6f},{point.x:.6f}\n"
    places_import(actor=None, district=district, file=_csv(data), filename="p.csv")
    assert Place.objects.get(name="花园里小区").region == garden


def test_an_xlsx_is_read(tree):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["名称", "区域"])
    sheet.append(["五大道文化街", "五大道社区"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    places_import(actor=None, district=tree.regions["和平区"], file=buffer, filename="places.xlsx")
    assert Place.objects.get(name="五大道文化街").region == tree.regions["五大道社区"]


def test_one_bad_row_writes_nothing_and_every_error_names_row_and_field(tree):
    data = (
        "name,region,lat,lon\n"
        "好小区,花园路社区,,\n"
        "坏小区,西关村,,\n"  # a region of another district
        "无名区域,火星社区,,\n"
        ",花园路社区,,\n"
        "远方,,10,10\n"  # no boundary holds it
    )
    with translation.override("en"), pytest.raises(PlacesImportError) as raised:
        places_import(actor=None, district=tree.regions["和平区"], file=_csv(data), filename="p.csv")
    errors = {(e.row, e.field) for e in raised.value.errors}
    assert errors == {(5, "name")}  # row checks first: the regions are resolved once every row is well formed
    with translation.override("en"), pytest.raises(PlacesImportError) as raised:
        places_import(
            actor=None, district=tree.regions["和平区"], file=_csv(data.replace(",花园", "X,花园")), filename="p.csv"
        )
    messages = {(e.row, e.field): e.reason for e in raised.value.errors}
    assert set(messages) == {(3, "region"), (4, "region"), (6, "lat")}
    assert "西关村 is no region of 和平区" in messages[(3, "region")]
    assert "row 3, field 'region'" in str(raised.value.errors[0])
    assert Place.objects.count() == 0


def test_a_file_that_is_no_table_is_refused_by_its_field(tree):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as raised:
        places_import(actor=None, district=tree.regions["和平区"], file=io.BytesIO(b"%PDF"), filename="p.pdf")
    assert "file" in raised.value.message_dict
