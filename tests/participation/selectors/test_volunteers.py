"""What volunteers and workers see: only requests one is certified for; out of reach looks like missing; the
suggested volunteers follow the matching rule."""

from __future__ import annotations

import pytest
from django.http import Http404

from fuhe.participation.selectors import service_request_get, service_requests_available, volunteer_candidates
from fuhe.participation.services import service_request_cancel

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("certification_check")]


def test_volunteers_see_the_requests_they_are_certified_for(tree, justice, certify, post_request):
    legal, general = post_request(), post_request(field="general", title="清理楼道")
    resident, volunteer = tree.people["resident"], tree.people["volunteer"]
    assert service_requests_available(user=resident) == [general]
    certify(volunteer, justice)
    assert set(service_requests_available(user=volunteer)) == {legal, general}
    assert service_requests_available(user=tree.people["grid"]) == []


def test_a_closed_request_is_missing_for_volunteers_but_not_for_its_owner(tree, post_request, owner):
    request = post_request(field="general")
    assert service_request_get(user=tree.people["resident"], request_id=request.pk) == request
    service_request_cancel(actor=owner, request=request, reason="取消")
    with pytest.raises(Http404):
        service_request_get(user=tree.people["resident"], request_id=request.pk)
    with pytest.raises(Http404):
        service_request_get(user=tree.people["jz-dispatcher"], request_id=request.pk)
    assert service_request_get(user=owner, request_id=request.pk) == request
    assert service_request_get(user=tree.people["dispatcher"], request_id=request.pk) == request


def test_candidates_are_the_certified_nearest_first(tree, justice, certify, post_request):
    request = post_request(min_level=2)
    certify(tree.people["resident"], justice, level=1)
    assert volunteer_candidates(request=request) == []
    certify(tree.people["volunteer"], justice, level=3)
    ranked = volunteer_candidates(request=request)
    assert [r.person_id for r in ranked] == [tree.people["volunteer"].pk]
    assert ranked[0].distance == 0 and ranked[0].level == 3
