"""Role × scope matrix: for every role, its own, a sibling, the parent and a child object.

Each cell is fetched over HTTP; out of scope must look exactly like missing (404). The test fails if
scoping is removed (siblings and parents would answer 200) and if it is too strict (own/child 404).
"""

import pytest
from django.urls import reverse

from fuhe.audit.models import AuditEvent

# role user → {relation: (region name, expected visible)}
REGION_MATRIX = {
    "grid": {
        "own": ("花园路社区第1网格", True),
        "sibling": ("花园路社区第2网格", False),
        "parent": ("花园路社区", False),
    },
    "community": {
        "own": ("花园路社区", True),
        "sibling": ("新华社区", False),
        "parent": ("劝业场街道", False),
        "child": ("花园路社区第1网格", True),
    },
    "dispatcher": {
        "own": ("劝业场街道", True),
        "sibling": ("小白楼街道", False),
        "parent": ("和平区", False),
        "child": ("新华社区", True),
    },
    "handler": {
        "own": ("和平区", True),
        "sibling": ("蓟州区", False),
        "parent": ("市辖区", False),
        "child": ("小白楼街道", True),
    },
    "leader": {
        "own": ("和平区", True),
        "sibling": ("蓟州区", False),
        "parent": ("市辖区", False),
        "child": ("五大道社区第2网格", True),
    },
    "supervisor": {
        "own": ("和平区", True),
        "sibling": ("蓟州区", False),
        "parent": ("天津市", False),
        "child": ("劝业场街道", True),
    },
    "volunteer": {
        "own": ("花园路社区", True),
        "sibling": ("新华社区", False),
        "parent": ("劝业场街道", False),
        "child": ("花园路社区第2网格", True),
    },
    "resident": {
        "own": ("花园路社区", True),
        "sibling": ("新华社区", False),
        "parent": ("劝业场街道", False),
        "child": ("花园路社区第1网格", True),
    },
    "admin": {
        "own": ("和平区", True),
        "sibling": ("蓟州区", False),
        "parent": ("市辖区", False),
        "child": ("花园路社区", True),
    },
    "jz-dispatcher": {
        "own": ("渔阳镇", True),
        "sibling": ("劝业场街道", False),
        "parent": ("蓟州区", False),
        "child": ("西关村", True),
    },
}

UNIT_MATRIX = {
    "grid": {
        "own": ("花园路社区居委会", True),
        "sibling": ("新华社区居委会", False),
        "parent": ("劝业场街道办事处", False),
    },
    "community": {
        "own": ("花园路社区居委会", True),
        "sibling": ("新华社区居委会", False),
        "parent": ("劝业场街道办事处", False),
    },
    "dispatcher": {
        "own": ("劝业场街道办事处", True),
        "sibling": ("小白楼街道办事处", False),
        "parent": ("和平区城管委", False),
        "child": ("新华社区居委会", True),
    },
    "handler": {"own": ("和平区城管委", True), "sibling": ("蓟州区城管委", False), "child": ("五大道社区居委会", True)},
    "resident": {
        "own": ("花园路社区居委会", True),
        "sibling": ("新华社区居委会", False),
        "parent": ("劝业场街道办事处", False),
    },
    "jz-dispatcher": {
        "own": ("渔阳镇人民政府", True),
        "sibling": ("劝业场街道办事处", False),
        "child": ("西关村委会", True),
    },
}

PERSON_MATRIX = {
    "grid": {"own": ("grid", True), "parent": ("community", False), "sibling": ("resident", False)},
    "community": {"own": ("community", True), "child": ("grid", True), "parent": ("dispatcher", False)},
    "dispatcher": {
        "own": ("dispatcher", True),
        "child": ("community", True),
        "parent": ("handler", False),
        "sibling": ("jz-dispatcher", False),
    },
    "handler": {"own": ("handler", True), "child": ("dispatcher", True), "sibling": ("jz-dispatcher", False)},
    "resident": {"own": ("resident", True), "sibling": ("volunteer", False), "parent": ("community", False)},
    "volunteer": {"own": ("volunteer", True), "sibling": ("resident", False)},
    "admin": {"own": ("admin", True), "child": ("resident", True), "sibling": ("jz-dispatcher", False)},
}


def _status(client, url):
    return client.get(url).status_code


@pytest.mark.django_db
def test_region_unit_and_person_scope_matrix(tree, client):
    unauthorised, wrongly_hidden, cells = [], [], 0
    for matrix, lookup, route in (
        (REGION_MATRIX, tree.regions, "web:region_detail"),
        (UNIT_MATRIX, tree.units, "web:unit_detail"),
        (PERSON_MATRIX, tree.people, "web:person_detail"),
    ):
        for username, relations in matrix.items():
            client.force_login(tree.people[username])
            for relation, (name, visible) in relations.items():
                status = _status(client, reverse(route, args=[lookup[name].pk]))
                cells += 1
                assert status in (200, 404), (username, relation, name, status)
                if status == 200 and not visible:
                    unauthorised.append((route, username, relation, name))
                if status == 404 and visible:
                    wrongly_hidden.append((route, username, relation, name))
    assert cells >= 60
    assert unauthorised == []
    assert wrongly_hidden == []


@pytest.mark.django_db
def test_out_of_scope_and_missing_look_the_same(tree, login):
    client = login(tree.people["dispatcher"])
    out_of_scope = client.get(reverse("web:region_detail", args=[tree.regions["小白楼街道"].pk]))
    missing = client.get(reverse("web:region_detail", args=[120101999000000]))
    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.content == missing.content


@pytest.mark.django_db
def test_lists_and_search_only_show_scope(tree, login):
    client = login(tree.people["dispatcher"])
    page = client.get(reverse("web:region_index"), {"q": "社区"}).content.decode()
    assert "花园路社区" in page and "新华社区" in page
    assert "五大道社区" not in page and "西关村" not in page
    units = client.get(reverse("web:unit_index")).content.decode()
    assert "劝业场街道办事处" in units and "小白楼街道办事处" not in units and "蓟州区城管委" not in units


@pytest.mark.django_db
def test_personal_data_is_masked_and_every_reveal_is_audited(tree, login):
    community = tree.people["community"]
    client = login(tree.people["dispatcher"])
    page = client.get(reverse("web:person_detail", args=[community.pk])).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert "120101********123X" in page and "12010119900101123X" not in page
    reveal = reverse("web:person_reveal", args=[community.pk, "phone"])
    assert client.post(reveal).status_code == 404  # a dispatcher does not need the full number
    unit_page = client.get(reverse("web:unit_detail", args=[tree.units["花园路社区居委会"].pk])).content.decode()
    assert "138****5678" in unit_page and "13812345678" not in unit_page

    admin = login(tree.people["admin"])
    response = admin.post(reveal)
    assert response.status_code == 200 and "13812345678" in response.content.decode()
    event = AuditEvent.objects.get(action="personal_data.viewed")
    assert (event.actor_id, event.object_id, event.summary) == (
        tree.people["admin"].pk,
        str(community.pk),
        {"field": "phone"},
    )
    assert admin.get(reveal).status_code == 405


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login(tree, client):
    for url in (
        reverse("web:home"),
        reverse("web:region_index"),
        reverse("web:region_detail", args=[tree.regions["和平区"].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
