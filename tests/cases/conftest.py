import pytest

from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.cases.services.intake import case_create
from fuhe.org.models import DepartmentType, Unit, UnitKind
from tests.conftest import PASSWORD


@pytest.fixture
def housing(tree):
    """A second department of 和平区 with its own handler, for summons."""
    unit = Unit.objects.create(
        name="和平区住建委",
        kind=UnitKind.DEPARTMENT,
        region=tree.regions["和平区"],
        department_type=DepartmentType.HOUSING,
    )
    person = User.objects.create_user(username="housing", password=PASSWORD, display_name="住建承办人")
    RoleAssignment.objects.create(user=person, role=Role.DEPARTMENT_HANDLER, unit=unit, region=tree.regions["和平区"])
    tree.units["和平区住建委"], tree.people["housing"] = unit, person
    return unit


@pytest.fixture
def new_case(tree):
    def make(**overrides):
        fields = {
            "actor": tree.people["resident"],
            "channel": "web",
            "text": "花园路3号楼前井盖缺失，夜里很危险",
            "address": "花园路社区3号楼",
            "reporter_phone": "13912345678",
        }
        fields.update(overrides)
        return case_create(**fields).case

    return make
