import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from fuhe.api.models import ApiKey
from fuhe.api.services import api_key_authenticate, api_key_create, api_key_revoke
from fuhe.audit.models import AuditEvent
from tests.api.conftest import bearer


def test_only_the_hash_of_the_secret_is_stored(tree):
    issued = api_key_create(actor=tree.people["admin"], user=tree.people["dispatcher"], name="hotline system")
    stored = ApiKey.objects.get(pk=issued.api_key.pk)
    assert issued.secret.startswith(f"fuhe_{stored.prefix}_")
    assert stored.secret_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert issued.secret not in {str(value) for value in ApiKey.objects.values().first().values()}
    assert AuditEvent.objects.filter(action="api_key.create", object_id=str(stored.pk)).exists()


def test_a_key_is_owned_by_a_user_or_an_application_not_both(tree):
    with pytest.raises(ValidationError):
        api_key_create(actor=None, user=tree.people["dispatcher"], application="app")
    with pytest.raises(ValidationError):
        api_key_create(actor=None)
    app_key = api_key_create(actor=None, application="city-app").api_key
    assert app_key.user is None and app_key.owner_label == "app:city-app"


def test_unknown_scopes_are_refused(tree):
    with pytest.raises(ValidationError):
        api_key_create(actor=None, application="app", scopes=["admin"])


def test_authenticate_finds_the_key_by_its_hash_and_records_last_use(tree):
    issued = api_key_create(actor=None, user=tree.people["dispatcher"])
    assert issued.api_key.last_used_at is None
    assert api_key_authenticate(issued.secret).pk == issued.api_key.pk
    used = ApiKey.objects.get(pk=issued.api_key.pk).last_used_at
    assert used is not None and timezone.now() - used < timedelta(seconds=5)
    assert api_key_authenticate(issued.secret[:-1] + "x") is None
    assert api_key_authenticate("not-a-key") is None and api_key_authenticate("") is None


def test_last_use_is_written_at_most_once_a_minute(tree, django_assert_num_queries):
    issued = api_key_create(actor=None, user=tree.people["dispatcher"])
    api_key_authenticate(issued.secret)
    with django_assert_num_queries(1):  # the lookup only, no UPDATE
        api_key_authenticate(issued.secret)


def test_a_revoked_key_no_longer_authenticates(client, tree):
    issued = api_key_create(actor=None, user=tree.people["dispatcher"])
    assert client.get("/api/v1/categories", **bearer(issued.secret)).status_code == 200
    api_key_revoke(actor=tree.people["admin"], api_key=issued.api_key)
    api_key_revoke(actor=tree.people["admin"], api_key=issued.api_key)  # twice changes nothing
    assert client.get("/api/v1/categories", **bearer(issued.secret)).status_code == 401
    assert client.get("/api/v1/categories", HTTP_X_API_KEY=issued.secret).status_code == 401
    assert AuditEvent.objects.filter(action="api_key.revoke").count() == 1


def test_a_key_of_a_deactivated_person_does_not_authenticate(client, tree):
    issued = api_key_create(actor=None, user=tree.people["dispatcher"])
    tree.people["dispatcher"].is_active = False
    tree.people["dispatcher"].save()
    assert client.get("/api/v1/categories", **bearer(issued.secret)).status_code == 401


def test_a_read_only_key_cannot_write(client, tree):
    issued = api_key_create(actor=None, user=tree.people["dispatcher"], scopes=["read"])
    assert client.get("/api/v1/cases", **bearer(issued.secret)).status_code == 200
    response = client.post(
        "/api/v1/cases",
        {"text": "x", "address": "花园路社区"},
        content_type="application/json",
        **bearer(issued.secret),
    )
    assert response.status_code == 401


def test_management_command_creates_and_revokes(tree, capsys):
    call_command("api_key", "create", "--user", "dispatcher", "--name", "hotline")
    secret = capsys.readouterr().out.strip()
    api_key = api_key_authenticate(secret)
    assert api_key is not None and api_key.user == tree.people["dispatcher"]
    call_command("api_key", "create", "--application", "city-app", "--scope", "read")
    app_secret = capsys.readouterr().out.strip()
    assert api_key_authenticate(app_secret).scopes == ["read"]
    call_command("api_key", "list")
    listing = capsys.readouterr().out
    assert api_key.prefix in listing and secret not in listing
    call_command("api_key", "revoke", api_key.prefix)
    assert api_key_authenticate(secret) is None
