"""The append-only, hash-chained audit log."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: ARG002
        raise AppendOnlyError("audit events are append-only")

    def delete(self):
        raise AppendOnlyError("audit events are append-only")


class AuditEvent(models.Model):
    """One recorded action. Written only by ``fuhe.audit.services.audit_record``."""

    seq = models.BigIntegerField(_("sequence"), primary_key=True)
    at = models.DateTimeField(_("time"), db_index=True)
    # The actor is kept by value, not as a foreign key: deleting a user must never touch history.
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_label = models.CharField(_("actor"), max_length=150, blank=True, default="")
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    summary = models.JSONField(_("before/after summary"), default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # the id (fingerprint) of the key whose HMAC ``hash`` is; empty: plain SHA-256, written before the key (ADR 0003)
    key_id = models.CharField(_("key id"), max_length=16, blank=True, default="", db_default="")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # residents' reports and the system's steps have no actor id: index only the events that have one
            models.Index(fields=["actor_id"], name="audit_event_actor_set", condition=models.Q(actor_id__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events are append-only")


class AuditChainHead(models.Model):
    """Singleton row: the last sequence number and hash. Locked to append, so the chain stays linear."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16, blank=True, default="", db_default="")  # the last event's key

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"head #{self.seq}"
