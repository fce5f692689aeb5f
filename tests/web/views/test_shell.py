import re

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD


@pytest.mark.django_db
def test_login_rotates_the_session_and_lands_on_the_role_home(tree, client):
    client.get(reverse("web:login"))
    before = client.session.session_key
    response = client.post(reverse("web:login"), {"username": "dispatcher", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert client.session.session_key != before
    page = response.content.decode()
    assert 'data-role="street_dispatcher"' in page and "劝业场街道" in page


@pytest.mark.django_db
def test_wrong_password_shows_an_error_and_repeated_failures_lock_out(tree, client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        response = client.post(reverse("web:login"), {"username": "grid", "password": "wrong-password"})
    assert response.status_code == 429
    # even the right password is refused while locked out
    response = client.post(reverse("web:login"), {"username": "grid", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_requires_csrf(tree):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("web:login"), {"username": "grid", "password": PASSWORD})
    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    "username,role,visible,hidden",
    [
        ("resident", "resident", "花园路社区", "劝业场街道办事处"),
        ("grid", "grid_worker", "花园路社区第1网格", "新华社区"),
        ("handler", "department_handler", "和平区城管委", "蓟州区"),
        ("supervisor", "supervisor", "和平区", "蓟州区"),
    ],
)
def test_each_role_has_its_own_home(tree, login, username, role, visible, hidden):
    page = login(tree.people[username]).get(reverse("web:home")).content.decode()
    assert f'data-role="{role}"' in page and visible in page and hidden not in page


@pytest.mark.django_db
def test_language_switches_between_chinese_and_english(tree, login):
    client = login(tree.people["community"])
    assert "区划" in client.get(reverse("web:home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("web:home")).content.decode()
    assert "Regions" in page and '<html lang="en">' in page


@pytest.mark.django_db
def test_region_search_by_code_and_pagination(tree, login, settings):
    settings.FUHE_PAGE_SIZE = 2
    client = login(tree.people["leader"])
    page = client.get(reverse("web:region_index"), {"q": "120101001"}).content.decode()
    assert "劝业场街道" in page and "小白楼街道" not in page
    first = client.get(reverse("web:region_index"), {"level": "grid"}).content.decode()
    assert "Page 1 of 3" in first or "第 1 页，共 3 页" in first
    partial = client.get(reverse("web:region_index"), {"q": "不存在"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "不存在" in partial


def test_healthz(client, db):
    assert client.get(reverse("web:healthz")).json() == {"status": "ok"}


@pytest.mark.django_db
def test_back_office_lists_regions_and_records_personal_data_views(tree, client):
    from fuhe.audit.models import AuditEvent

    admin = tree.people["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    assert "劝业场街道" in client.get("/admin/org/region/", {"q": "劝业场"}).content.decode()
    listing = client.get("/admin/accounts/user/").content.decode()
    assert "138****5678" in listing and "13812345678" not in listing
    assert client.get(f"/admin/accounts/user/{tree.people['resident'].pk}/change/").status_code == 200
    assert AuditEvent.objects.filter(action="personal_data.viewed", object_id=str(tree.people["resident"].pk)).exists()
    assert client.post("/admin/audit/auditevent/1/delete/").status_code in (403, 302, 404)


@pytest.mark.django_db
def test_chinese_is_the_default_even_for_an_english_browser(tree, client):
    page = client.get(reverse("web:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in page
    client.cookies["django_language"] = "en"
    assert '<html lang="en">' in client.get(reverse("web:login")).content.decode()


@pytest.mark.django_db
def test_home_shows_what_waits_for_each_role(tree, login):
    from fuhe.cases.services.intake import case_create

    case_create(actor=tree.people["resident"], channel="web", text="楼道灯坏了", address="花园路社区")
    dispatcher = login(tree.people["dispatcher"]).get(reverse("web:home")).content.decode()
    assert 'id="queue-count">1<' in dispatcher
    resident = login(tree.people["resident"]).get(reverse("web:home")).content.decode()
    assert "楼道灯坏了" in resident and "queue-count" not in resident
    other = login(tree.people["jz-dispatcher"]).get(reverse("web:home")).content.decode()
    assert 'id="queue-count">0<' in other


def test_the_headline_counts_the_units_the_unit_pages_list(tree, login):
    """A grid worker's committee sits in the community, above the grid: the home page said "0 units" while the unit
    page listed the worker's own committee (found on the demo)."""
    client = login(tree.people["grid"])
    home = client.get(reverse("web:home")).content.decode()
    listed = len(re.findall(r'href="/units/\d+/"', client.get(reverse("web:unit_index")).content.decode()))
    assert listed >= 1 and f"{listed} 个单位" in home
