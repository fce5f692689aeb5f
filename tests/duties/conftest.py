import pytest

from tests.duties.factories import district_governments, make_list


@pytest.fixture
def duty_list(tree):
    district_governments(tree)
    return make_list(tree)
