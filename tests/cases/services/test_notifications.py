"""Opening one's notifications marks them read, one's own only (a service, not a write in the view)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fuhe.cases.models import Notification
from fuhe.cases.services.notify import notifications_mark_read, notify_users

pytestmark = pytest.mark.django_db


def test_marking_read_touches_only_the_user_s_unread(tree):
    me, other = tree.people["dispatcher"], tree.people["handler"]
    notify_users([me.pk, other.pk], case=None, text="新工单")
    assert notifications_mark_read(user=me) == 1
    assert notifications_mark_read(user=me) == 0  # nothing left unread
    assert Notification.objects.get(recipient=other).read_at is None


def test_the_list_page_shows_then_marks_read(tree, login):
    me = tree.people["dispatcher"]
    notify_users([me.pk], case=None, text="新工单到达")
    response = login(me).get(reverse("cases:notifications"))
    assert response.status_code == 200
    assert "新工单到达" in response.content.decode()
    assert Notification.objects.get(recipient=me).read_at is not None
