"""The household register on the body's page: staff upload it as exported, wrong rows are listed in Chinese as an
alert with nothing imported, a resident in it is tagged instead of offered a one-by-one check; others may not."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fuhe.deliberation.models import HouseholdRegister
from tests.deliberation.conftest import make_residents

NUMBER = "12010119800315123X"


def upload(client, body, content: str, name: str = "名册.csv"):
    file = SimpleUploadedFile(name, content.encode(), content_type="text/csv")
    return client.post(reverse("deliberation:register_import", args=[body.pk]), {"file": file})


@pytest.fixture
def person(tree):
    return make_residents(tree, "花园路社区第1网格", 1, prefix="reg", id_number=NUMBER)[0]


def test_staff_upload_the_register_and_the_resident_is_tagged(tree, login, council, person):
    client = login(tree.people["community"])
    page = client.get(reverse("deliberation:body", args=[council.pk])).content.decode()
    assert 'id="register-form"' in page and "尚未导入名册" in page
    response = upload(client, council, f"户号,姓名,公民身份号码\n0001,张三,{NUMBER}\n0001,李四,110101196505050012\n")
    assert response.status_code == 302 and response.url.endswith("#register")
    page = client.get(response.url).content.decode()
    assert "户籍名册现有 2 人（此前 0 人）" in page
    assert "现行名册：2 人" in page and "其中有 1 位居民已有账号" in page
    row = page.split(f'<tr data-user="{person.pk}"')[1]
    assert "在户籍名册中" in row.split("</tr>")[0] and 'value="verify"' not in row.split("</tr>")[0]
    assert NUMBER not in page and "张三" not in page


def test_wrong_rows_are_listed_as_an_alert_in_chinese_and_nothing_is_imported(tree, login, council, person):
    client = login(tree.people["community"])
    response = upload(client, council, f"身份证号\n{NUMBER}\n12345\n")
    page = response.content.decode()
    assert response.status_code == 400
    alert = page.split('id="register-errors"')[1].split("</div>")[0]
    assert 'role="alert"' in page.split('id="register-errors"')[0][-80:]
    assert "名册有 1 处问题，未导入任何内容" in alert
    assert "第 3 行，“身份证号”：不是居民身份证号" in alert
    assert not HouseholdRegister.objects.exists()


def test_a_missing_file_or_a_wrong_kind_of_file_is_said_plainly(tree, login, council):
    client = login(tree.people["community"])
    response = client.post(reverse("deliberation:register_import", args=[council.pk]))
    assert response.status_code == 400 and "请选择名册文件" in response.content.decode()
    response = upload(client, council, "%PDF-1.4", name="roll.pdf")
    assert response.status_code == 400 and "只能导入 .csv、.txt 和 .xlsx 文件" in response.content.decode()


def test_a_resident_or_another_streets_dispatcher_cannot_upload(tree, login, council, person):
    for user in (tree.people["resident"], tree.people["jz-dispatcher"]):
        client = login(user)
        response = upload(client, council, f"身份证号\n{NUMBER}\n")
        assert response.status_code in (403, 404)
    assert not HouseholdRegister.objects.exists()
    page = login(tree.people["resident"]).get(reverse("deliberation:body", args=[council.pk]))
    assert page.status_code != 200 or 'id="register-form"' not in page.content.decode()
