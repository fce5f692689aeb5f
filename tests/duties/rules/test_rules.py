import pytest

from tests.duties.factories import make_list

VIEW = {
    "grid": True,
    "community": True,
    "dispatcher": True,
    "handler": True,
    "leader": True,
    "supervisor": True,
    "admin": True,
    "volunteer": False,
    "resident": False,
}
MAINTAIN_CITY_LIST = dict.fromkeys(VIEW, False)  # the city list lies above every district role's scope
MAINTAIN_DISTRICT_LIST = {**MAINTAIN_CITY_LIST, "leader": True, "supervisor": True, "admin": True}


@pytest.mark.parametrize("person", sorted(VIEW))
def test_who_reads_and_who_maintains(tree, duty_list, person):
    user = tree.people[person]
    district = make_list(tree, region="和平区", activate=False)
    assert user.has_perm("duties.view_dutylist", duty_list) is VIEW[person]
    assert user.has_perm("duties.change_dutylist", duty_list) is MAINTAIN_CITY_LIST[person]
    assert user.has_perm("duties.change_dutylist", district) is MAINTAIN_DISTRICT_LIST[person]
    assert user.has_perm("duties.view_report", district) is MAINTAIN_DISTRICT_LIST[person]


def test_a_district_list_is_invisible_in_another_district(tree, duty_list):
    district = make_list(tree, region="和平区", activate=False)
    assert not tree.people["jz-dispatcher"].has_perm("duties.view_dutylist", district)
    assert tree.people["jz-dispatcher"].has_perm("duties.view_dutylist", duty_list)
