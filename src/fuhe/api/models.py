"""API keys for systems and the stored answers that make creation requests idempotent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiScope(models.TextChoices):
    READ = "read", _("read")
    WRITE = "write", _("write (create cases, perform actions)")


def default_scopes() -> list[str]:
    return [ApiScope.READ.value, ApiScope.WRITE.value]


class ApiKey(models.Model):
    """A secret for a system, owned by a person (acts as them) or by an application (acts as nobody).

    Only the SHA-256 of the secret is stored; ``prefix`` (the secret's first characters) identifies it in lists.
    """

    name = models.CharField(_("label"), max_length=80, blank=True, default="")
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_keys",
        verbose_name=_("owner (person)"),
    )
    application = models.CharField(_("owner (application)"), max_length=80, blank=True, default="")
    scopes = models.JSONField(_("scopes"), default=default_scopes)
    created_at = models.DateTimeField(_("created"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(user__isnull=False, application="")
                    | models.Q(user__isnull=True) & ~models.Q(application="")
                ),
                name="api_key_owned_by_user_or_application",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.owner_label})"

    @property
    def owner_label(self) -> str:
        return self.user.get_username() if self.user_id else f"app:{self.application}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class IdempotencyRecord(models.Model):
    """The first answer to a creation request carrying an ``Idempotency-Key``.

    ``status_code`` is null while the first request is still being processed (a concurrent retry gets 409).
    """

    owner = models.CharField(max_length=80, help_text="who sent it: api key, user or client address")
    endpoint = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "endpoint", "key"], name="unique_idempotency_key")]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key}"
