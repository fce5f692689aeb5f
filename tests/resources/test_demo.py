from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.resources.demo import demo_resources_build
from fuhe.resources.models import Match, MatchState, Pairing, PairingState, Resource
from fuhe.resources.services.pairing import pairing_flows
from tests.conftest import PASSWORD


def _demo_logins(tree):
    street = User.objects.create_user(username="hp-dispatcher", password=PASSWORD)
    RoleAssignment.objects.create(
        user=street, role=Role.STREET_DISPATCHER, region=tree.regions["劝业场街道"], unit=tree.units["劝业场街道办事处"]
    )
    admin = User.objects.create_user(username="demo-admin", password=PASSWORD)
    RoleAssignment.objects.create(user=admin, role=Role.ADMINISTRATOR, region=tree.regions["天津市"])


def test_the_demo_pairs_a_street_with_a_township_and_shows_a_flow(tree):
    _demo_logins(tree)
    demo_resources_build()
    pairing = Pairing.objects.get()
    assert (pairing.street, pairing.township, pairing.state) == (
        tree.regions["劝业场街道"],
        tree.regions["渔阳镇"],
        PairingState.ACTIVE,
    )
    delivered = Match.objects.get(pairing=pairing)
    assert delivered.state == MatchState.CONFIRMED
    assert [row.match_ids for row in pairing_flows(pairing)] == [[delivered.pk]]
    counts = (Pairing.objects.count(), Resource.objects.count(), Match.objects.count())
    demo_resources_build()  # idempotent
    assert (Pairing.objects.count(), Resource.objects.count(), Match.objects.count()) == counts


def test_without_the_core_demo_it_does_nothing(tree):
    demo_resources_build()
    assert not Pairing.objects.exists()
