"""The registry's pages: list (search, filters, stale, pagination, empty state), detail (masked contact), register
and edit (scoped to the owner), confirm, Excel import (row errors, nothing partial) and export."""

from datetime import timedelta
from io import BytesIO

from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from fuhe.audit.models import AuditEvent
from fuhe.resources.models import Resource, ResourceKind
from tests.resources.conftest import FAR, NEAR

LIST = reverse("resources:resource_list")
NEW = reverse("resources:resource_new")
IMPORT = reverse("resources:resource_import")


def _post_new(client, tree, **values):
    data = {
        "owner": tree.units["劝业场街道志愿服务队"].pk,
        "name": "社区活动室",
        "kind": ResourceKind.SPACE,
        "capacity": "4",
        "contact_phone": "13912345678",
        "latitude": "39.121000",
        "longitude": "117.199000",
    }
    data.update(values)
    return client.post(NEW, data)


def test_a_resident_without_a_unit_has_no_registry(tree, login):
    assert login(tree.people["resident"]).get(LIST).status_code == 403


def test_the_empty_registry_says_what_to_do(tree, login):
    response = login(tree.people["dispatcher"]).get(LIST)
    assert response.status_code == 200
    assert b'id="resources-empty"' in response.content
    assert b'id="nav-resources"' in response.content


def test_the_list_is_scoped_searched_and_filtered(tree, login, register, owner_xbl):
    water = register(name="矿泉水")
    room = register(name="活动室", kind=ResourceKind.SPACE, capacity=2)
    other = register(actor=owner_xbl, owner=tree.units["小白楼街道办事处"], name="小白楼的车")
    Resource.objects.filter(pk=room.pk).update(confirmed_at=timezone.now() - timedelta(days=400))
    client = login(tree.people["volunteer"])  # 花园路社区: sees its own team's, not 小白楼's
    page = client.get(LIST).content.decode()
    assert f'data-resource="{water.pk}"' in page and f'data-resource="{other.pk}"' not in page
    by_kind = client.get(LIST, {"kind": ResourceKind.SPACE}).content.decode()
    assert f'data-resource="{room.pk}"' in by_kind and f'data-resource="{water.pk}"' not in by_kind
    stale = client.get(LIST, {"stale": "1"}).content.decode()
    assert f'data-resource="{room.pk}"' in stale and f'data-resource="{water.pk}"' not in stale
    assert 'class="tag warn stale"' in stale
    found = client.get(LIST, {"q": "矿泉"}).content.decode()
    assert f'data-resource="{water.pk}"' in found and f'data-resource="{room.pk}"' not in found
    by_owner = client.get(LIST, {"owner": tree.units["小白楼街道办事处"].pk}).content.decode()
    assert 'id="resources-empty"' in by_owner


def test_the_list_is_paginated_and_htmx_gets_the_rows(tree, login, register, settings):
    settings.FUHE_PAGE_SIZE = 2
    for n in range(3):
        register(name=f"物资{n}")
    client = login(tree.people["dispatcher"])
    first = client.get(LIST).content.decode()
    assert first.count("data-resource=") == 2 and 'rel="next"' in first
    second = client.get(LIST, {"page": 2}).content.decode()
    assert second.count("data-resource=") == 1
    partial = client.get(LIST, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'id="resource-table"' in partial


def test_an_owner_registers_a_resource_with_its_windows(tree, login):
    client = login(tree.people["volunteer"])
    assert client.get(NEW).status_code == 200
    response = _post_new(
        client, tree, window_start_1="2026-12-05T08:00", window_end_1="2026-12-05T18:00", skills="急救、电工"
    )
    resource = Resource.objects.get(name="社区活动室")
    assert response.status_code == 302 and response.url == reverse("resources:resource_detail", args=[resource.pk])
    assert resource.owner == tree.units["劝业场街道志愿服务队"]
    assert resource.skills == ["急救", "电工"]
    assert [(w.starts_at.hour, w.ends_at.hour) for w in resource.windows.all()] == [(0, 10)]  # UTC of 08:00–18:00
    assert AuditEvent.objects.filter(action="resources.resource_registered").count() == 1


def test_someone_acting_for_no_unit_cannot_register(tree, login):
    assert login(tree.people["leader"]).get(NEW).status_code == 403


def test_a_negative_capacity_and_a_reversed_window_are_named_and_nothing_is_saved(tree, login):
    client = login(tree.people["volunteer"])
    client.cookies["django_language"] = "en"
    negative = _post_new(client, tree, capacity="-3")
    reversed_window = _post_new(client, tree, window_start_1="2026-12-05T18:00", window_end_1="2026-12-05T08:00")
    assert negative.status_code == 400
    assert 'id="error-capacity"' in negative.content.decode()
    assert "Capacity (units): The capacity cannot be negative." in negative.content.decode()
    assert reversed_window.status_code == 400
    assert 'id="error-window_end_1"' in reversed_window.content.decode()
    assert "The time window ends before it starts." in reversed_window.content.decode()
    assert not Resource.objects.exists()


def test_only_the_owner_edits_and_an_edit_confirms(tree, login, register, owner_xbl):
    resource = register()
    Resource.objects.filter(pk=resource.pk).update(confirmed_at=timezone.now() - timedelta(days=400))
    edit = reverse("resources:resource_edit", args=[resource.pk])
    assert login(owner_xbl).get(edit).status_code == 404  # another street's owner: as if missing
    assert login(tree.people["dispatcher"]).get(edit).status_code == 404  # sees it, does not keep it
    client = login(tree.people["volunteer"])
    form = client.get(edit)
    assert form.status_code == 200 and "应急物资·矿泉水" in form.content.decode()
    response = client.post(
        edit,
        {"name": "矿泉水（500ml）", "kind": ResourceKind.STOCKPILE, "capacity": "8", "is_active": "on", **NEAR},
    )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert (resource.name, resource.capacity) == ("矿泉水（500ml）", 8)
    assert resource.confirmed_at > timezone.now() - timedelta(minutes=1)


def test_confirm_clears_the_stale_flag(tree, login, register):
    resource = register()
    Resource.objects.filter(pk=resource.pk).update(confirmed_at=timezone.now() - timedelta(days=400))
    url = reverse("resources:resource_confirm", args=[resource.pk])
    assert login(tree.people["dispatcher"]).post(url).status_code == 404
    response = login(tree.people["volunteer"]).post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'data-stale="no"' in response.content.decode()
    resource.refresh_from_db()
    assert resource.confirmed_at > timezone.now() - timedelta(minutes=1)
    assert AuditEvent.objects.filter(action="resources.resource_confirmed").exists()


def test_the_contact_phone_is_masked_unless_the_user_keeps_the_resource(tree, login, register):
    resource = register(contact_phone="13912345678")
    url = reverse("resources:resource_detail", args=[resource.pk])
    dispatcher_page = login(tree.people["dispatcher"]).get(url).content.decode()
    assert "13912345678" not in dispatcher_page and "139****5678" in dispatcher_page
    owner_page = login(tree.people["volunteer"]).get(url).content.decode()
    assert "13912345678" in owner_page


def _workbook(rows) -> BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(["名称", "类型", "数量", "可用时段", "纬度", "经度"])
    for row in rows:
        sheet.append([*row, 39.121, 117.199])
    data = BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "resources.xlsx"
    return data


def test_an_import_with_a_bad_row_names_the_row_and_column_and_saves_nothing(tree, login):
    client = login(tree.people["volunteer"])
    bad = _workbook([["矿泉水", "stockpile", 10, ""], ["帐篷", "stockpile", -2, ""]])
    client.cookies["django_language"] = "en"
    response = client.post(IMPORT, {"owner": tree.units["劝业场街道志愿服务队"].pk, "file": bad})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert" id="import-errors"' in page
    assert "Row 3, column “数量”: The capacity cannot be negative." in page
    assert not Resource.objects.exists()


def test_a_row_without_a_point_in_a_region_without_a_boundary_is_named(tree, login):
    book = Workbook()
    book.active.append(["名称", "类型", "数量"])
    book.active.append(["矿泉水", "stockpile", 10])
    data = BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "resources.xlsx"
    response = login(tree.people["volunteer"]).post(
        IMPORT, {"owner": tree.units["劝业场街道志愿服务队"].pk, "file": data}
    )
    assert response.status_code == 400
    assert 'id="import-errors"' in response.content.decode()
    assert not Resource.objects.exists()


def test_a_good_import_registers_every_row(tree, login):
    client = login(tree.people["volunteer"])
    good = _workbook([["矿泉水", "stockpile", 10, ""], ["帐篷", "stockpile", 2, "2026-12-01 08:00~2026-12-03 18:00"]])
    response = client.post(IMPORT, {"owner": tree.units["劝业场街道志愿服务队"].pk, "file": good})
    assert response.status_code == 302
    assert sorted(Resource.objects.values_list("name", flat=True)) == ["帐篷", "矿泉水"]


def test_the_export_is_a_workbook_with_phones_masked(tree, login, register):
    register(contact_phone="13912345678", **FAR)
    response = login(tree.people["dispatcher"]).get(reverse("resources:resource_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "应急物资·矿泉水"
    assert "139****5678" in rows[1] and "13912345678" not in rows[1]
