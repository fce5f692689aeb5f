"""The web import of hotline tickets: a bad file's row errors are shown as errors, in the reader's language."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from fuhe.cases.models import Case, ImportJob, ImportJobStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_kept():
    """A request with a language cookie activates it for the thread: the tests after these read their own."""
    with translation.override(translation.get_language()):
        yield


BAD = "工单编号,诉求内容,诉求地址,联系电话,紧急程度\nA1,楼道堆物,新华社区,13800001111,十万火急\nA2,,新华社区,,\n"


def _failed_job_page(client, django_capture_on_commit_callbacks, *, language: str) -> str:
    response = client.post(
        reverse("cases:import_upload"), {"file": SimpleUploadedFile("tickets.csv", BAD.encode(), "text/csv")}
    )
    job_url = response["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            job_url,
            {
                "map_text": "诉求内容",
                "map_address": "诉求地址",
                "map_external_id": "工单编号",
                "map_urgency": "紧急程度",
            },
        )
    client.cookies["django_language"] = language
    return client.get(job_url).content.decode()


def test_a_bad_file_s_rows_are_listed_as_errors_in_english(
    tree, login, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.DATA_DIR = tmp_path
    client = login(tree.people["dispatcher"])
    page = _failed_job_page(client, django_capture_on_commit_callbacks, language="en")
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.FAILED and Case.objects.count() == 0
    assert [(e["row"], e["field"], e["code"]) for e in job.errors] == [
        (2, "urgency", "not_an_urgency"),
        (3, "text", "said"),
    ]
    assert 'id="import-errors" role="alert"' in page
    assert "<li>Row 2, column “Urgency”: &#x27;十万火急&#x27; is not an urgency (一般/紧急/特急)</li>" in page
    assert "<li>Row 3, column “Request”: describe the problem</li>" in page
    assert '<label for="map-reporter_phone">Phone</label>' in page  # the mapping names the fields too


def test_the_same_errors_read_in_chinese(tree, login, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.DATA_DIR = tmp_path
    client = login(tree.people["dispatcher"])
    page = _failed_job_page(client, django_capture_on_commit_callbacks, language="zh-hans")
    assert (
        "<li>第 3 行，“诉求内容”：请描述问题</li>" in page
    )  # the usual hotline header until the catalogue names the column
    assert "describe the problem" not in page and "row 3" not in page
