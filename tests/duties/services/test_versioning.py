from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fuhe.audit.models import AuditEvent
from fuhe.duties.models import DutyItem, ListStatus
from fuhe.duties.selectors import duty_list_in_force
from fuhe.duties.services import duty_item_save, duty_list_activate, duty_list_copy
from tests.duties.factories import ITEMS, make_list


def test_activating_a_new_version_retires_the_old_one_from_the_same_moment(tree, duty_list):
    admin = tree.people["admin"]
    draft = duty_list_copy(actor=admin, source=duty_list)
    assert (draft.version, draft.status, draft.items.count()) == (2, ListStatus.DRAFT, len(ITEMS))
    moment = timezone.now() + timedelta(minutes=1)
    duty_list_activate(actor=admin, duty_list=draft, effective_from=moment)
    duty_list.refresh_from_db()
    assert duty_list.status == ListStatus.RETIRED and duty_list.effective_to == moment
    region = tree.regions["花园路社区"].pk
    assert duty_list_in_force(region_id=region, at=moment - timedelta(seconds=1)) == duty_list
    assert duty_list_in_force(region_id=region, at=moment + timedelta(seconds=1)) == draft
    assert AuditEvent.objects.filter(action="duties.list_activate").count() == 2


def test_only_drafts_change_and_only_drafts_activate(tree, duty_list):
    item = duty_list.items.get(code="CG-01")
    item.matter = "改了"
    with pytest.raises(ValidationError):
        duty_item_save(actor=tree.people["admin"], item=item)
    with pytest.raises(ValidationError):
        duty_list_activate(actor=tree.people["admin"], duty_list=duty_list)
    assert DutyItem.objects.get(pk=item.pk).matter == "市政设施维护"


def test_a_district_list_overrides_the_city_list_and_one_list_is_active_per_region(tree, duty_list):
    district = make_list(tree, items=ITEMS[:2], region="和平区")
    assert duty_list_in_force(region_id=tree.regions["花园路社区第1网格"].pk) == district
    assert duty_list_in_force(region_id=tree.regions["西关村"].pk) == duty_list
    assert duty_list_in_force(region_id=None) is None
    duty_list.status = ListStatus.ACTIVE
    with pytest.raises(IntegrityError), transaction.atomic():
        make_list(tree, items=ITEMS[:1], activate=False).__class__.objects.filter(
            region=duty_list.region, status=ListStatus.DRAFT
        ).update(status=ListStatus.ACTIVE)


def test_an_empty_draft_cannot_be_activated(tree, duty_list):
    empty = make_list(tree, items=[], activate=False)
    with pytest.raises(ValidationError):
        duty_list_activate(actor=None, duty_list=empty)
