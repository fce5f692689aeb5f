from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.funding.demo import demo_funding_build
from fuhe.funding.models import Award, Call, DeliverableState, SpendingLine
from fuhe.resources.models import DemandState
from tests.conftest import PASSWORD


def _login(tree, username, role, region, unit):
    user = User.objects.create_user(username=username, password=PASSWORD, display_name=username)
    RoleAssignment.objects.create(user=user, role=role, region=tree.regions[region], unit=tree.units.get(unit))


def test_demo_builds_a_traceable_money_path_once(tree):
    demo_funding_build()  # without the core demo's logins: nothing
    assert not Call.objects.exists()
    _login(tree, "hp-dispatcher", Role.STREET_DISPATCHER, "劝业场街道", "劝业场街道办事处")
    _login(tree, "hp-community", Role.COMMUNITY_WORKER, "花园路社区", "花园路社区居委会")
    _login(tree, "hp-volunteer", Role.VOLUNTEER, "花园路社区", "劝业场街道志愿服务队")
    _login(tree, "hp-leader", Role.LEADER, "和平区", None)
    _login(tree, "hp-supervisor", Role.SUPERVISOR, "和平区", None)
    demo_funding_build()
    demo_funding_build()
    call = Call.objects.get()
    award = Award.objects.get()
    assert award.amount_fen == 8_600_000 and call.budget_fen == 15_000_000
    assert sum(s.amount_fen for s in SpendingLine.objects.all()) == 2_185_000
    states = sorted(award.application.deliverables.values_list("state", flat=True))
    assert states == [DeliverableState.CONFIRMED, DeliverableState.REPORTED]
    assert award.application.demand.state == DemandState.OPEN
