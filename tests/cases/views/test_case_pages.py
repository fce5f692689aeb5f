import re

import pytest
from django.urls import reverse

from fuhe.cases.models import Case

pytestmark = pytest.mark.django_db


def test_resident_reports_without_an_account_and_a_double_submit_makes_one_case(tree, client):
    form = client.get(reverse("cases:report")).content.decode()
    submission = re.search(r'name="submission_id" value="([0-9a-f]+)"', form).group(1)
    data = {"text": "五大道路口积水严重", "address": "五大道社区", "submission_id": submission}
    first = client.post(reverse("cases:report"), data)
    second = client.post(reverse("cases:report"), data)
    assert first.status_code == second.status_code == 302
    assert Case.objects.count() == 1
    case = Case.objects.get()
    page = client.get(first["Location"]).content.decode()
    assert case.tracking_code in page and "?t=" in page  # the secret link is shown once
    assert "已经收到" in page  # the second tap is answered with the stored case, in Chinese


def test_report_form_names_the_missing_fields(tree, client):
    response = client.post(reverse("cases:report"), {"text": "", "address": "", "submission_id": "x"})
    page = response.content.decode()
    assert response.status_code == 200 and Case.objects.count() == 0
    assert page.count('class="error" role="alert"') >= 2


def test_tracking_by_code_and_last_four_digits_and_nothing_else(tree, client, new_case):
    case = new_case(actor=None)
    wrong = client.post(reverse("cases:track"), {"code": case.tracking_code, "phone_last4": "0000"})
    assert wrong.status_code == 200 and case.text not in wrong.content.decode()
    assert client.get(reverse("cases:track_case", args=[case.tracking_code])).status_code == 404
    ok = client.post(reverse("cases:track"), {"code": case.tracking_code.lower(), "phone_last4": "5678"})
    assert ok.status_code == 302
    assert client.get(ok["Location"]).status_code == 200


def test_staff_pages_are_scoped(tree, login, new_case):
    case = new_case()
    dispatcher = login(tree.people["dispatcher"])
    assert case.tracking_code in dispatcher.get(reverse("cases:queue")).content.decode()
    detail = dispatcher.get(reverse("cases:detail", args=[case.pk])).content.decode()
    # the dispatcher calls back: the full phone is one audited click away (tests/cases/views/test_reveal.py)
    assert "派单" in detail and "139****5678" in detail and "13912345678" not in detail
    other = login(tree.people["jz-dispatcher"])
    assert other.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert case.tracking_code not in other.get(reverse("cases:worklist")).content.decode()
    grid = login(tree.people["grid"])
    page = grid.get(reverse("cases:detail", args=[case.pk]))
    assert page.status_code == 404  # the case is in the community, not in this grid


def test_dispatch_through_the_page_and_errors_are_shown(tree, login, new_case):
    case = new_case()
    client = login(tree.people["dispatcher"])
    url = reverse("cases:act", args=[case.pk])
    response = client.post(url, {"action": "dispatch", "unit": 999999}, follow=True)
    assert "unit" in response.content.decode()
    client.post(url, {"action": "dispatch", "unit": tree.units["和平区城管委"].pk})
    case.refresh_from_db()
    assert case.state == "dispatched"
    handler = login(tree.people["handler"])
    assert handler.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert case.tracking_code in handler.get(reverse("cases:worklist")).content.decode()


def test_hotline_intake_and_patrol(tree, login):
    client = login(tree.people["dispatcher"])
    page = client.get(reverse("cases:intake")).content.decode()
    submission = re.search(r'name="submission_id" value="([0-9a-f]+)"', page).group(1)
    response = client.post(
        reverse("cases:intake"),
        {
            "text": "来电反映新华社区楼道堆物",
            "address": "",
            "region": tree.regions["新华社区"].pk,
            "request_type": "complaint",
            "urgency": "normal",
            "reporter_phone": "13800001111",
            "submission_id": submission,
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.channel, case.region, case.request_type) == ("hotline", tree.regions["新华社区"], "complaint")
    grid = login(tree.people["grid"])
    page = grid.get(reverse("cases:patrol")).content.decode()
    submission = re.search(r'name="submission_id" value="([0-9a-f]+)"', page).group(1)
    grid.post(
        reverse("cases:patrol"),
        {
            "note": "巡查发现井盖松动",
            "region": tree.regions["花园路社区第1网格"].pk,
            "outcome": "report",  # the patrol page (tests/cases/views/test_patrol_pages.py): needs reporting
            "submission_id": submission,
        },
    )
    patrol = Case.objects.get(channel="patrol")
    assert patrol.is_proactive and patrol.region == tree.regions["花园路社区第1网格"]
    assert grid.get(reverse("cases:detail", args=[patrol.pk])).status_code == 200


def test_three_rates_page_excel_and_definitions(tree, login, new_case):
    from fuhe.cases.services import lifecycle as loop

    handler = tree.people["handler"]
    for satisfied in (True, False):
        case = loop.case_dispatch(actor=tree.people["dispatcher"], case=new_case(), unit=tree.units["和平区城管委"])
        case = loop.case_transition(actor=handler, case=case, action="accept")
        case = loop.case_transition(actor=handler, case=case, action="start")
        case = loop.case_reply(actor=handler, case=case, outcome="resolved", text="已处理")
        loop.case_rate(
            actor=None, case=case, resolved=True, satisfied=satisfied, reasons=[] if satisfied else ["too_slow"]
        )
    client = login(tree.people["leader"])
    page = client.get(reverse("cases:rates")).content.decode()
    assert "和平区城管委" in page and "50%" in page and "n=2" in page  # satisfaction 1 of 2
    assert "small-sample" in page  # 2 cases are never ranked as if they were 200
    assert "docs/metrics/#satisfaction-rate" in page
    assert 'id="report-in-table"' in page
    book = client.get(reverse("cases:rates"), {"format": "xlsx"})
    assert book["Content-Type"].startswith("application/vnd.openxmlformats")
    definitions = client.get(reverse("cases:metrics_doc")).content.decode()
    assert 'id="satisfaction-rate"' in definitions
    outsider = login(tree.people["jz-dispatcher"])
    assert "和平区城管委" not in outsider.get(reverse("cases:rates")).content.decode()


def test_dispatcher_sees_likely_duplicates_and_merges(tree, login, new_case):
    first = new_case(text="花园路3号楼前井盖缺失，夜里很危险，请尽快处理")
    second = new_case(text="花园路3号楼门前井盖丢失了，晚上很危险！请尽快处理", reporter_phone="13700001111")
    client = login(tree.people["dispatcher"])
    page = client.get(reverse("cases:detail", args=[second.pk])).content.decode()
    assert first.tracking_code in page
    client.post(reverse("cases:act", args=[second.pk]), {"action": "merge", "into": first.tracking_code})
    second.refresh_from_db()
    assert second.state == "merged" and second.merged_into == first
    unrelated = new_case(text="社区老年食堂菜品太咸", reporter_phone="13600009999")  # not the same caller either
    assert first.tracking_code not in client.get(reverse("cases:detail", args=[unrelated.pk])).content.decode()


def test_consultation_answered_directly_from_the_knowledge_base(tree, login, new_case):
    from fuhe.cases.models import KnowledgeEntry

    KnowledgeEntry.objects.create(
        question="居住证如何办理", keywords="居住证 办理 材料", answer="携带身份证和租房合同到社区服务站办理居住证。"
    )
    KnowledgeEntry.objects.create(question="犬只登记", keywords="养狗 犬证", answer="到派出所办理犬证。")
    case = new_case(text="请问居住证怎么办理，需要什么材料？", request_type="consultation")
    client = login(tree.people["dispatcher"])
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "携带身份证和租房合同" in page and "到派出所办理犬证" not in page
    client.post(
        reverse("cases:act", args=[case.pk]),
        {"action": "answer_directly", "text": "携带身份证和租房合同到社区服务站办理居住证。"},
    )
    case.refresh_from_db()
    assert case.state == "replied" and case.dispatched_at is None and case.reply_outcome == "explained"


def test_web_import_maps_columns_checks_everything_and_imports_in_the_background(
    tree, login, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.DATA_DIR = tmp_path
    client = login(tree.people["dispatcher"])
    bad = "工单编号,诉求内容,诉求地址,联系电话\nA1,楼道堆物,新华社区,13800001111\nA2,,新华社区,123\n"
    response = client.post(
        reverse("cases:import_upload"), {"file": SimpleUploadedFile("tickets.csv", bad.encode(), "text/csv")}
    )
    job_url = response["Location"]
    page = client.get(job_url).content.decode()
    assert 'value="诉求内容" selected' in page  # the mapping was guessed from the headers
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            job_url,
            {
                "map_text": "诉求内容",
                "map_address": "诉求地址",
                "map_external_id": "工单编号",
                "map_reporter_phone": "联系电话",
            },
        )
    page = client.get(job_url).content.decode()
    assert "第 3 行" in page and Case.objects.count() == 0  # all or nothing, the row is named
    good = "工单编号,诉求内容,诉求地址\nA1,楼道堆物,新华社区\nA2,路灯不亮,花园路社区\n"  # in the dispatcher's street
    response = client.post(
        reverse("cases:import_upload"), {"file": SimpleUploadedFile("tickets.xlsx.csv", good.encode(), "text/csv")}
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            response["Location"], {"map_text": "诉求内容", "map_address": "诉求地址", "map_external_id": "工单编号"}
        )
    assert 'data-status="done"' in client.get(response["Location"]).content.decode()
    assert Case.objects.filter(channel="import").count() == 2
    assert login(tree.people["jz-dispatcher"]).get(response["Location"]).status_code == 404
    assert login(tree.people["resident"]).get(reverse("cases:import_upload")).status_code == 404


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_optional_photos_are_checked_and_only_shown_to_those_who_may_see_the_case(
    tree, client, login, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    page = client.get(reverse("cases:report")).content.decode()
    submission = re.search(r'name="submission_id" value="([0-9a-f]+)"', page).group(1)
    fake = SimpleUploadedFile("evil.png", b"<script>alert(1)</script>", "image/png")
    response = client.post(
        reverse("cases:report"),
        {"text": "井盖缺失", "address": "花园路社区", "photos": [fake], "submission_id": submission},
    )
    assert response.status_code == 200 and "不是 JPEG、PNG 或 WebP 图片" in response.content.decode()
    assert not Case.objects.exists()
    photo = SimpleUploadedFile("well.png", PNG, "image/png")
    response = client.post(
        reverse("cases:report"),
        {"text": "井盖缺失", "address": "花园路社区", "photos": [photo], "submission_id": submission},
    )
    case = Case.objects.get()
    url = reverse("cases:photo", args=[case.photos.get().pk])
    assert client.get(url)["Content-Type"] == "image/png"  # the reporter, in their session
    assert login(tree.people["dispatcher"]).get(url).status_code == 200
    assert login(tree.people["jz-dispatcher"]).get(url).status_code == 404


def test_bulk_dispatch_picks_a_unit_by_name_from_the_district(tree, login, new_case):
    first = new_case(idempotency_key="a")
    second = new_case(text="花园路5号楼路灯不亮，晚上很黑", idempotency_key="b")
    client = login(tree.people["dispatcher"])
    page = client.get(reverse("cases:queue")).content.decode()
    department = tree.units["和平区城管委"]
    assert f'<option value="{department.pk}">{department.name}</option>' in page
    assert 'type="number"' not in page  # nobody types a unit number
    response = client.post(
        reverse("cases:bulk_dispatch"), {"case": [first.pk, second.pk], "unit": department.pk}, follow=True
    )
    assert response.status_code == 200
    assert set(Case.objects.values_list("state", flat=True)) == {"dispatched"}
    assert set(Case.objects.values_list("owner_unit", flat=True)) == {department.pk}


def test_bulk_dispatch_without_a_unit_names_the_field_and_changes_nothing(tree, login, new_case):
    case = new_case()
    client = login(tree.people["dispatcher"])
    response = client.post(reverse("cases:bulk_dispatch"), {"case": [case.pk], "unit": ""}, follow=True)
    assert "unit" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "received"


def test_the_cases_without_a_group_are_named_as_such_on_the_rates_page_and_in_excel(tree, login, new_case):
    """A row keyed by a bare dash read as a broken row; it names what its cases have in common."""
    from io import BytesIO

    from openpyxl import load_workbook

    new_case()  # received, not dispatched: no owning unit, no category
    client = login(tree.people["leader"])
    page = client.get(reverse("cases:rates")).content.decode()
    assert "无承办单位（待派或已退回）" in page
    assert "未分类" in client.get(reverse("cases:rates"), {"by": "category"}).content.decode()
    book = load_workbook(BytesIO(client.get(reverse("cases:rates"), {"format": "xlsx"}).content))
    assert "无承办单位（待派或已退回）" in [row[1] for row in book.active.iter_rows(values_only=True)]
