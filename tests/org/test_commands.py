"""The org commands of issue 15: district boundaries and the place gazetteer from the command line."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from fuhe.org.models import Place, Region

pytestmark = pytest.mark.django_db


def test_region_boundaries_maps_a_district_down_to_its_grids(tree, tmp_path):
    out = io.StringIO()
    call_command("region_boundaries", "120101", stdout=out)
    assert "和平区" in out.getvalue()
    assert not Region.objects.filter(id__gte=120101000000000, id__lt=120102000000000, geometry__isnull=True).exists()
    with pytest.raises(CommandError):
        call_command("region_boundaries", "999999", stdout=io.StringIO())


def test_import_places_reports_each_bad_row_and_writes_nothing(tree, tmp_path):
    good = tmp_path / "places.csv"
    good.write_text("名称,区域\n滨江道小区,花园路社区\n", encoding="utf-8")
    call_command("import_places", str(good), "--district", "120101", stdout=io.StringIO())
    assert Place.objects.get().region == tree.regions["花园路社区"]
    bad = tmp_path / "bad.csv"
    bad.write_text("名称,区域\n新小区,花园路社区\n坏小区,火星社区\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_places", str(bad), "--district", "120101", stdout=io.StringIO(), stderr=err)
    assert "3" in err.getvalue() and "region" in err.getvalue()
    assert Place.objects.count() == 1
    english = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError):
        call_command("import_places", str(bad), "--district", "120101", stdout=io.StringIO(), stderr=english)
    assert english.getvalue().startswith("Row 3, column “region”: ")  # the row frame is translated too
