"""The builders moved out of the burden views: the load chart's series and a received form's rows."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from fuhe.burden import charts, selectors, services
from fuhe.burden.core.load import LoadRow
from fuhe.burden.models import DataSource
from fuhe.burden.reports import LoadResult, UnitLoad
from fuhe.burden.services import FieldSpec
from tests.burden.conftest import MONDAY
from tests.burden.services.issuing import issue_form, target_of

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon", "coordinates": [[[117.2, 39.1], [117.3, 39.1], [117.3, 39.2], [117.2, 39.1]]]}


def test_the_load_chart_groups_units_by_street_and_maps_the_regions_with_geometry(tree):
    garden, xinhua, wudadao = (tree.regions[n] for n in ("花园路社区", "新华社区", "五大道社区"))
    garden.geometry = SQUARE
    garden.save()
    street, other = tree.regions["劝业场街道"], tree.regions["小白楼街道"]
    result = LoadResult(tree.regions["和平区"], date(2026, 3, 2), date(2026, 3, 15), 2)
    result.units = [
        UnitLoad(1, "花园路社区居委会", garden.pk, "residents_committee", LoadRow(garden.pk, 30.0, 20.0)),
        UnitLoad(2, "新华社区居委会", xinhua.pk, "residents_committee", LoadRow(xinhua.pk, 0.0, 0.0)),
        UnitLoad(3, "五大道社区居委会", wudadao.pk, "residents_committee", LoadRow(wudadao.pk, 12.345, 40.0)),
    ]
    result.streets = [
        (street.pk, "劝业场街道", LoadRow(street.pk, 30.0, 20.0)),
        (other.pk, "小白楼街道", LoadRow(other.pk, 12.345, 40.0)),
    ]
    result.trend = [(date(2026, 3, 2), 20.04, 60.0), (date(2026, 3, 9), 22.36, 60.0)]
    result.senders = [(7, "和平区城管委", 30.26), (8, "和平区民政局", 12.0)]

    chart = charts.load_chart(result)

    assert chart["region"] == "和平区" and chart["labels"]["demanded"]
    assert chart["tree"] == [
        {
            "name": "劝业场街道",
            "value": 30.0,
            "factor": 1.5,
            "children": [
                {"name": "花园路社区居委会", "value": 30.0, "factor": 1.5},
                {"name": "新华社区居委会", "value": 0.1, "factor": None},  # idle, no capacity: still drawn
            ],
        },
        {
            "name": "小白楼街道",
            "value": 12.3,
            "factor": 0.31,
            "children": [{"name": "五大道社区居委会", "value": 12.3, "factor": 0.31}],
        },
    ]
    assert chart["trend"] == [["2026-03-02", 20.0, 60.0], ["2026-03-09", 22.4, 60.0]]
    assert chart["senders"] == [["和平区城管委", 30.3], ["和平区民政局", 12.0]]
    assert chart["geo"] == [{"name": "花园路社区", "factor": 1.5, "geometry": SQUARE}]  # only the one on record


FIELDS = (
    FieldSpec("常住人口", "org.population"),  # 5230, from the org tree
    FieldSpec("网格数", "org.grids"),  # 2, from the org tree
    FieldSpec("独居老人人数", "pop.elderly_alone"),  # nobody knows yet
    FieldSpec("楼栋长姓名"),  # off the catalogue
)


def test_form_rows_show_what_is_known_then_what_was_entered(burden):
    with time_machine.travel(MONDAY, tick=False):
        task = issue_form(burden, fields=FIELDS)
        target = target_of(task, burden)
        fields = selectors.form_field_list(task=task)
        rows = selectors.target_form_rows(target=target, fields=fields, posted={fields[3].pk: "张三"})
        assert [(r["field"].label, r["state"], r["value"]) for r in rows] == [
            ("常住人口", "prefilled", "5230"),
            ("网格数", "prefilled", "2"),
            ("独居老人人数", "asked", ""),
            ("楼栋长姓名", "asked", "张三"),  # a refused submission's value shown again
        ]
        assert rows[0]["known"].value == "5230" and rows[0]["source"] == str(DataSource.ORG.label)
        assert rows[2]["known"] is None and rows[2]["source"] == ""
        before = selectors.target_form_get(target=target, fields=fields, posted={})
        assert before.prefilled == 2 and before.bypass is None

        services.form_submit(
            actor=burden.people["community"],
            target=target,
            answers={fields[2].pk: "17", fields[3].pk: "李四"},
            now=MONDAY,
        )
        target = target_of(task, burden)
        rows = selectors.target_form_rows(target=target, fields=fields, posted={})
        assert [(r["field"].label, r["state"], r["value"]) for r in rows] == [
            ("常住人口", "confirmed", "5230"),  # left as prefilled
            ("网格数", "confirmed", "2"),
            ("独居老人人数", "entered", "17"),
            ("楼栋长姓名", "entered", "李四"),
        ]
        assert selectors.target_form_get(target=target, fields=fields, posted={}).prefilled == target.fields_prefilled
