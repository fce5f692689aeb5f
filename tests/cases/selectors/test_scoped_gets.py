"""Every id a user sends is resolved by one scoped ``*_get``: an id out of reach gives exactly the 404 of a
missing one (so nothing can be probed), and an id in reach gives the object (so the 404 is not unconditional)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile

from fuhe.accounts.models import User
from fuhe.cases.selectors import (
    case_get,
    case_photo_get,
    import_job_get,
    import_job_list,
    intake_region_get,
    intake_region_list,
    tracked_case_get,
)
from fuhe.cases.services.import_jobs import import_job_create
from fuhe.cases.services.photos import photos_attach, photos_validate
from tests.conftest import PASSWORD
from tests.scoping import MISSING, not_found

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_case_get_out_of_scope_is_missing(tree, new_case):
    case = new_case()  # in 花园路社区, 和平区
    missing = not_found(case_get, user=tree.people["jz-dispatcher"], case_id=MISSING)
    assert not_found(case_get, user=tree.people["jz-dispatcher"], case_id=case.pk) == missing
    assert not_found(case_get, user=tree.people["jz-dispatcher"], case_id="x") == missing
    assert case_get(user=tree.people["dispatcher"], case_id=case.pk) == case


def test_tracked_case_get_needs_the_session_to_have_proved_the_code(tree, new_case):
    case = new_case(actor=None)
    missing = not_found(tracked_case_get, code="NOSUCHCODE", tracked_codes=["NOSUCHCODE"])
    assert not_found(tracked_case_get, code=case.tracking_code, tracked_codes=[]) == missing
    assert not_found(tracked_case_get, code=case.tracking_code, tracked_codes=["OTHERCODE"]) == missing
    found = tracked_case_get(code=case.tracking_code.lower(), tracked_codes=[case.tracking_code])
    assert found == case


def test_case_photo_get_follows_the_case(tree, new_case, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = new_case(actor=None)
    [photo] = photos_attach(case=case, checked=photos_validate([SimpleUploadedFile("well.png", PNG, "image/png")]))
    outsider, anonymous = tree.people["jz-dispatcher"], AnonymousUser()
    missing = not_found(case_photo_get, user=outsider, photo_id=MISSING)
    assert not_found(case_photo_get, user=outsider, photo_id=photo.pk) == missing
    assert not_found(case_photo_get, user=anonymous, photo_id=photo.pk) == missing
    assert not_found(case_photo_get, user=anonymous, photo_id=photo.pk, tracked_codes=["OTHERCODE"]) == missing
    assert case_photo_get(user=tree.people["dispatcher"], photo_id=photo.pk) == photo
    assert case_photo_get(user=anonymous, photo_id=photo.pk, tracked_codes=[case.tracking_code]) == photo


def test_intake_region_get_takes_only_communities_and_grids_in_reach(tree):
    dispatcher = tree.people["dispatcher"]  # 劝业场街道
    missing = not_found(intake_region_get, user=dispatcher, region_id=MISSING)
    for outside in ("西关村", "五大道社区", "劝业场街道"):  # another district, another street, not a community
        assert not_found(intake_region_get, user=dispatcher, region_id=tree.regions[outside].pk) == missing
    assert intake_region_get(user=dispatcher, region_id=tree.regions["新华社区"].pk) == tree.regions["新华社区"]
    names = [name for _id, name in intake_region_list(user=dispatcher)]  # by key: each community, then its grids
    assert names == [
        "花园路社区",
        "花园路社区第1网格",
        "花园路社区第2网格",
        "新华社区",
        "新华社区第1网格",
        "新华社区第2网格",
    ]
    assert [name for _id, name in intake_region_list(user=dispatcher, limit=2)] == names[:2]


def test_import_job_get_is_the_starters_own(tree):
    dispatcher, other = tree.people["dispatcher"], tree.people["jz-dispatcher"]
    upload = SimpleUploadedFile("tickets.csv", "工单编号,诉求内容\nA1,楼道堆物\n".encode(), "text/csv")
    job = import_job_create(actor=dispatcher, upload=upload)
    missing = not_found(import_job_get, user=other, job_id=MISSING)
    assert not_found(import_job_get, user=other, job_id=job.pk) == missing
    assert import_job_get(user=dispatcher, job_id=job.pk) == job
    root = User.objects.create_superuser(username="root", password=PASSWORD)
    assert import_job_get(user=root, job_id=job.pk) == job
    assert list(import_job_list(user=dispatcher)) == [job] and list(import_job_list(user=other)) == []
