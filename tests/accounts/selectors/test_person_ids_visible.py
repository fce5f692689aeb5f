"""The bulk read of who may open whose page agrees with the rule (``accounts.view_person``) for every pair."""

from __future__ import annotations

from fuhe.accounts.models import User
from fuhe.accounts.selectors import person_ids_visible


def test_the_bulk_read_equals_the_rule_for_every_pair(tree, django_assert_max_num_queries):
    everyone = list(User.objects.all())
    inactive = User.objects.create_user(username="gone", password="x-password-123", is_active=False)
    everyone.append(inactive)
    for user in everyone[:-1]:
        expected = {person.pk for person in everyone if user.has_perm("accounts.view_person", person)}
        expected.discard(inactive.pk)  # the page of an inactive person is missing for all (person_get)
        fresh = User.objects.get(pk=user.pk)  # a scope computed in the read, not cached by the rule
        with django_assert_max_num_queries(3):
            assert person_ids_visible(user=fresh, person_ids=[p.pk for p in everyone]) == expected, user
    assert person_ids_visible(user=tree.people["resident"], person_ids=[tree.people["grid"].pk]) == set()
    assert person_ids_visible(user=tree.people["leader"], person_ids=[tree.people["grid"].pk]) == {
        tree.people["grid"].pk
    }
