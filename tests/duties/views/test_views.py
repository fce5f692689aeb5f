import io
import re

from django.urls import reverse
from openpyxl import Workbook, load_workbook

from fuhe.duties.models import DutyList, ListStatus
from tests.duties.factories import make_list


def test_browse_and_search_the_list(tree, duty_list, login):
    client = login(tree.people["dispatcher"])
    page = client.get(reverse("duties:index")).content.decode()
    assert "测试清单" in page and "从 Excel 导入清单" not in page and 'enctype="multipart/form-data"' not in page
    url = reverse("duties:detail", args=[duty_list.pk])
    page = client.get(url, {"q": "违章"}).content.decode()
    assert 'data-code="JD-01"' in page and 'data-code="CG-02"' in page and 'data-code="SQ-01"' not in page
    rows = client.get(url, {"admission": "owned"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-code="SQ-01"' in rows and "<html" not in rows
    assert 'data-code="QT-01"' in client.get(url, {"level": "none"}).content.decode()
    export = client.get(reverse("duties:export", args=[duty_list.pk]))
    assert load_workbook(io.BytesIO(export.content)).worksheets[0].max_row == 1 + duty_list.items.count()
    assert login(tree.people["resident"]).get(url).status_code == 404


def test_maintainers_import_copy_and_activate_others_cannot(tree, duty_list, login):
    district = make_list(tree, region="和平区", activate=False)
    assert login(tree.people["dispatcher"]).post(reverse("duties:activate", args=[district.pk])).status_code == 404
    assert login(tree.people["dispatcher"]).get(reverse("duties:report", args=[district.pk])).status_code == 404
    client = login(tree.people["leader"])
    client.post(reverse("duties:activate", args=[district.pk]))
    district.refresh_from_db()
    assert district.status == ListStatus.ACTIVE
    response = client.post(reverse("duties:copy", args=[district.pk]))
    draft = DutyList.objects.get(region=district.region, version=2)
    assert response["Location"] == reverse("duties:detail", args=[draft.pk])
    page = client.get(reverse("duties:report", args=[district.pk])).content.decode()
    assert "违章建筑查处" in page and 'id="missing-units"' in page


def test_import_errors_are_shown_and_nothing_is_saved(tree, duty_list, login):
    workbook = Workbook()
    workbook.active.append(["code", "matter", "owner_level"])
    workbook.active.append(["A", "", "nowhere"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "bad.xlsx"
    client = login(tree.people["admin"])
    page = client.post(
        reverse("duties:index"), {"name": "x", "region": tree.regions["和平区"].pk, "file": buffer}
    ).content.decode()
    assert DutyList.objects.count() == 1
    errors = page.split('id="import-errors"')[1].split("</div>")[0]
    # the reader's language (Chinese by default): the sheet's Chinese column name and reason, never the English key
    assert (
        "事项" in errors and "必填" in errors and "2" in errors and "matter" not in errors and "required" not in errors
    )
    client.cookies["django_language"] = "en"
    buffer.seek(0)
    english = client.post(
        reverse("duties:index"), {"name": "x", "region": tree.regions["和平区"].pk, "file": buffer}
    ).content.decode()
    assert "Row 2, column “Matter”: required" in english


def test_a_maintainer_writes_an_items_typical_cases_and_a_too_long_one_is_refused_in_chinese(tree, duty_list, login):
    from fuhe.duties.core.sheet import MAX_EXAMPLE_LENGTH

    draft = make_list(tree, region="和平区", activate=False)
    item = draft.items.get(code="JD-01")
    client = login(tree.people["admin"])
    url = reverse("duties:item_edit", args=[draft.pk, item.pk])
    form = client.get(url).content.decode()
    assert 'name="examples_text"' in form and "典型案例" in form
    fields = {
        "code": item.code,
        "matter": item.matter,
        "owner_level": item.owner_level,
        "lead_department_type": "",
        "admission": item.admission,
        "keywords_text": "、".join(item.keywords),
    }
    too_long = client.post(url, fields | {"examples_text": "好的｜正常\n标题｜" + "长" * MAX_EXAMPLE_LENGTH})
    assert too_long.status_code == 200 and "第 2 条典型案例超过" in too_long.content.decode()
    item.refresh_from_db()
    assert item.examples == []
    client.post(url, fields | {"examples_text": "楼顶盖房｜顶楼住户在楼顶盖了一间小屋\n有人在楼顶偷偷盖房子"})
    item.refresh_from_db()
    assert item.examples == [
        {"title": "楼顶盖房", "text": "顶楼住户在楼顶盖了一间小屋"},
        {"title": "", "text": "有人在楼顶偷偷盖房子"},
    ]
    rows = client.get(reverse("duties:detail", args=[draft.pk])).content.decode()
    # the list shows how many, and opens to read them all
    cell = re.search(r'<details class="typical-cases">(.*?)</details>', rows, re.S).group(1)
    assert ">2</summary>" in cell and "<strong>楼顶盖房</strong> 顶楼住户在楼顶盖了一间小屋" in cell
    assert "有人在楼顶偷偷盖房子" in cell


def test_the_import_help_names_the_sheets_columns_in_the_readers_language(tree, login):
    """The help listed the sheet's internal keys (code, matter, …) on a Chinese page (found on the demo)."""
    client = login(tree.people["admin"])
    page = client.get(reverse("duties:index")).content.decode()
    columns = page.split('id="sheet-columns">')[1].split("<")[0]
    assert columns.startswith("编码、事项、类别") and "典型案例" in columns and not re.search(r"[A-Za-z]", columns)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("duties:index")).content.decode()
    english = page.split('id="sheet-columns">')[1].split("<")[0]
    assert english.startswith("Code, Matter, Category, Owner level") and "Typical cases" in english


def test_the_routing_dashboard_is_linked_only_for_those_who_may_open_it(tree, duty_list, login):
    """A community worker reads the duty list but may not open the routing dashboard: no link to a 404."""
    url = reverse("duties:detail", args=[duty_list.pk])
    dashboard = reverse("routing:dashboard")
    community = login(tree.people["community"])
    assert community.get(url).status_code == 200
    assert f'href="{dashboard}"' not in community.get(url).content.decode()
    assert community.get(dashboard).status_code == 404
    admin = login(tree.people["admin"])
    assert f'href="{dashboard}"' in admin.get(url).content.decode() and admin.get(dashboard).status_code == 200
