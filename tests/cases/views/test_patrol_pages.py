"""The patrol page of a grid worker's phone, its confirmation, the street's spot checks and the on-spot count."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fuhe.cases.core.lifecycle import State
from fuhe.cases.models import Case, CaseEvent, Category
from fuhe.cases.services.patrol import case_report_from_patrol, case_resolve_on_spot, patrol_finding_check

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def categories(db):
    made = {}
    for name in ("环境卫生", "城管执法", "城市公共设施", "安全隐患", "违章建筑", "园林绿化", "施工安全", "冬季采暖"):
        made[name] = Category.objects.create(name=name, level=1, path=name)
    return made


def submission(page: str) -> str:
    return re.search(r'name="submission_id" value="([0-9a-f]+)"', page).group(1)


def post(client, data, **files):
    page = client.get(reverse("cases:patrol")).content.decode()
    return client.post(reverse("cases:patrol"), {"submission_id": submission(page), **data, **files})


def test_the_grid_workers_page_has_their_grid_the_quick_categories_and_both_outcomes(tree, login, categories):
    page = login(tree.people["grid"]).get(reverse("cases:patrol")).content.decode()
    grid = tree.regions["花园路社区第1网格"]
    assert f'name="region" value="{grid.pk}"' in page and 'id="patrol-grid"' in page  # preselected, nothing to pick
    quick = re.findall(r'data-category="([^"]+)"', page)
    assert quick == ["环境卫生", "城管执法", "城市公共设施", "安全隐患", "违章建筑", "园林绿化"]  # the defaults
    assert 'id="patrol-fixed"' in page and 'id="patrol-report"' in page
    assert "reporter_phone" not in page and "reporter_name" not in page  # not the hotline form
    assert 'capture="environment"' in page and "required" not in page  # a photo is optional


def test_recent_patrol_categories_come_first(tree, login, categories):
    worker = tree.people["grid"]
    for n, name in enumerate(["冬季采暖", "施工安全"]):
        finding = patrol_finding_check(
            region=tree.regions["花园路社区第1网格"],
            category_id=categories[name].pk,
            note="",
            photos=[],
            submission_id=f"old{n}",
        )
        case_report_from_patrol(actor=worker, finding=finding)
    page = login(worker).get(reverse("cases:patrol")).content.decode()
    assert re.findall(r'data-category="([^"]+)"', page)[:3] == ["施工安全", "冬季采暖", "环境卫生"]


def test_only_grid_workers_get_the_fixed_on_the_spot_button(tree, login, categories):
    dispatcher = login(tree.people["dispatcher"])
    page = dispatcher.get(reverse("cases:patrol")).content.decode()
    assert 'id="patrol-fixed"' not in page and 'id="patrol-report"' in page
    refused = post(
        dispatcher, {"category": categories["环境卫生"].pk, "outcome": "on_spot", "region": tree.regions["新华社区"].pk}
    )
    assert refused.status_code == 400 and Case.objects.count() == 0
    handler = login(tree.people["handler"])  # a department's handler patrols no grid
    assert handler.get(reverse("cases:patrol")).status_code == 404


def test_fixed_on_the_spot_in_one_post_with_a_photo(tree, login, categories, settings):
    settings.FUHE_SPOT_CHECK_SHARE = 0
    client = login(tree.people["grid"])
    photo = SimpleUploadedFile("p.png", PNG, content_type="image/png")
    response = post(client, {"category": categories["环境卫生"].pk, "outcome": "on_spot"}, photos=photo)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:patrol_done", args=[case.pk])
    assert case.state == State.CLOSED and case.photos.count() == 1
    assert case.region == tree.regions["花园路社区第1网格"]
    done = client.get(response["Location"]).content.decode()
    assert case.tracking_code in done and 'data-outcome="on_spot"' in done


def test_needs_reporting_and_other_category(tree, login, categories):
    client = login(tree.people["grid"])
    response = post(
        client,
        {"category": "other", "category_other": categories["冬季采暖"].pk, "outcome": "report", "note": "暖气漏水"},
    )
    case = Case.objects.get()
    assert (case.state, case.category) == (State.RECEIVED, categories["冬季采暖"])
    assert 'data-outcome="report"' in client.get(response["Location"]).content.decode()


def test_errors_name_the_field_and_keep_the_note(tree, login, categories):
    client = login(tree.people["grid"])
    response = post(client, {"outcome": "on_spot", "note": ""})
    page = response.content.decode()
    assert response.status_code == 400 and 'role="alert"' in page and Case.objects.count() == 0
    assert "What you found" in page or "发现" in page
    bad_photo = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = post(
        client, {"category": categories["环境卫生"].pk, "outcome": "report", "note": "保留"}, photos=bad_photo
    )
    assert response.status_code == 400 and 'value="保留"' in response.content.decode()
    assert post(client, {"category": categories["环境卫生"].pk, "outcome": "maybe"}).status_code == 400


def test_a_grid_outside_the_workers_reach_is_missing(tree, login, categories):
    response = post(
        login(tree.people["grid"]),
        {"category": categories["环境卫生"].pk, "outcome": "report", "region": tree.regions["五大道社区第1网格"].pk},
    )
    assert response.status_code == 404 and Case.objects.count() == 0


@pytest.fixture
def drawn(tree, categories, settings):
    settings.FUHE_SPOT_CHECK_SHARE = 1
    finding = patrol_finding_check(
        region=tree.regions["花园路社区第1网格"],
        category_id=categories["环境卫生"].pk,
        note="已清理",
        photos=[],
        submission_id="d",
    )
    return case_resolve_on_spot(actor=tree.people["grid"], finding=finding)


def test_the_street_checks_a_drawn_fix_on_its_page(tree, login, drawn):
    client = login(tree.people["dispatcher"])
    assert reverse("cases:spot_checks") in client.get(reverse("cases:queue")).content.decode()  # found from the queue
    page = client.get(reverse("cases:spot_checks")).content.decode()
    assert f'data-case="{drawn.tracking_code}"' in page
    url = reverse("cases:spot_check", args=[drawn.pk])
    client.post(url, {"decision": "reopen", "reason": ""})
    drawn.refresh_from_db()
    assert drawn.state == State.CLOSED  # a failed check says what it found
    client.post(url, {"decision": "reopen", "reason": "现场仍有堆物"})
    drawn.refresh_from_db()
    assert drawn.state == State.RECEIVED
    assert drawn.tracking_code in client.get(reverse("cases:queue")).content.decode()
    assert f'data-case="{drawn.tracking_code}"' not in client.get(reverse("cases:spot_checks")).content.decode()


def test_the_worker_cannot_check_their_own_fix_and_outsiders_see_nothing(tree, login, drawn):
    worker = login(tree.people["grid"])
    assert worker.get(reverse("cases:spot_checks")).status_code == 404
    worker.post(reverse("cases:spot_check", args=[drawn.pk]), {"decision": "confirm"})
    assert not CaseEvent.objects.filter(action="spot_check_confirm").exists()
    outsider = login(tree.people["jz-dispatcher"])
    assert f'data-case="{drawn.tracking_code}"' not in outsider.get(reverse("cases:spot_checks")).content.decode()
    assert outsider.post(reverse("cases:spot_check", args=[drawn.pk]), {"decision": "confirm"}).status_code == 404


def test_the_rates_page_counts_the_on_spot_fixes(tree, login, drawn):
    client = login(tree.people["dispatcher"])
    client.post(reverse("cases:spot_check", args=[drawn.pk]), {"decision": "confirm"})
    page = client.get(reverse("cases:rates")).content.decode()
    assert 'id="on-spot-counts"' in page
    assert '<dd data-count="standing">1</dd>' in page and '<dd data-count="confirmed">1</dd>' in page
    assert reverse("cases:spot_checks") in page
