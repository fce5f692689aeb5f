"""The points ledger (积分 / 时间银行): accounts, transactions and their entries, checkpoints, the redemption
catalogue. Written only by ``fuhe.participation.services``; the rules are in ``core/ledger.py`` and
docs/participation.md."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuhe.org.models import Unit


class AppendOnlyError(RuntimeError):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk updates and deletes are refused (the database triggers refuse them too)."""

    def update(self, **kwargs):  # noqa: ARG002
        raise AppendOnlyError("the points ledger is append-only")

    def delete(self):
        raise AppendOnlyError("the points ledger is append-only")


class AccountKind(models.TextChoices):
    PERSON = "person", _("person")
    ORGANISATION = "organisation", _("organisation")


class Account(models.Model):
    """A points account of a resident or volunteer (never a staff member), or of an organisation: the issuer of
    earnings, the receiver of redemptions, and a party to exchanges between paired towns and villages."""

    kind = models.CharField(_("kind"), max_length=16, choices=AccountKind.choices)
    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="points_account",
        verbose_name=_("person"),
    )
    unit = models.OneToOneField(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="points_account",
        verbose_name=_("organisation"),
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="person", person__isnull=False, unit__isnull=True)
                    | models.Q(kind="organisation", person__isnull=True, unit__isnull=False)
                ),
                name="points_account_one_holder",
            ),
        ]

    def __str__(self) -> str:
        return str(self.person if self.kind == AccountKind.PERSON else self.unit)

    @property
    def may_go_negative(self) -> bool:
        """An organisation issues points (its balance is minus what it issued, plus what it received); a person
        spends only what they hold."""
        return self.kind == AccountKind.ORGANISATION


class TransactionKind(models.TextChoices):
    EARNING = "earning", _("earning")
    REDEMPTION = "redemption", _("redemption")
    TRANSFER = "transfer", _("transfer")
    REVERSAL = "reversal", _("reversal")


class Transaction(models.Model):
    """One movement of points: its entries sum to zero. Never updated or deleted; corrected by a reversal."""

    kind = models.CharField(_("kind"), max_length=16, choices=TransactionKind.choices)
    # what earned or caused it ("burden.task:12", "participation.service:7" …); unique per earner for earnings
    reference = models.CharField(_("reference"), max_length=120, blank=True, default="")
    memo = models.CharField(_("memo"), max_length=200, blank=True, default="")
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("posted by"),
    )
    counter_signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("counter-signed by"),
    )
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    item = models.ForeignKey(
        "RedemptionItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="redemptions",
        verbose_name=_("redemption item"),
    )
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)  # of the catalogue item redeemed
    digest = models.CharField(max_length=64)  # SHA-256 of the content above, chained in every entry's HMAC

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("points transaction")
        verbose_name_plural = _("points transactions")
        indexes = [models.Index(fields=["kind", "reference"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"


class Entry(models.Model):
    """One side of a transaction: ``amount`` points credited (positive) or debited (negative) to an account."""

    seq = models.BigIntegerField(_("sequence"), primary_key=True)
    transaction = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, related_name="entries", verbose_name=_("transaction")
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries", verbose_name=_("account"))
    amount = models.BigIntegerField(_("points"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    key_id = models.CharField(_("key id"), max_length=16)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        indexes = [models.Index(fields=["account", "seq"], name="points_entry_account_seq")]
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="points_entry_not_zero")]

    def __str__(self) -> str:
        return f"{self.seq}: {self.amount:+d}"


class LedgerHead(models.Model):
    """The last entry (number and hash), the key that signed it and the last transaction's number; locked by every
    posting (one row, id 1), so postings are numbered and chained one after the other."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16, blank=True, default="")
    transactions = models.BigIntegerField(default=0)  # the number of the last transaction (numbered without gaps)

    class Meta:
        verbose_name = _("ledger head")

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


class Checkpoint(models.Model):
    """The balances after entry ``seq``, sealed (HMAC) with that entry's hash and the previous checkpoint's."""

    seq = models.BigIntegerField(_("after entry"), primary_key=True)
    at = models.DateTimeField(_("time"))
    entry_hash = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    key_id = models.CharField(_("key id"), max_length=16)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger checkpoint")
        verbose_name_plural = _("ledger checkpoints")

    def __str__(self) -> str:
        return f"checkpoint {self.seq}"


class CheckpointBalance(models.Model):
    """An account's balance at a checkpoint (accounts with a zero balance have no row)."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="balances")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    balance = models.BigIntegerField()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "checkpoint"], name="points_checkpoint_balance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint_id}/{self.account_id}: {self.balance}"


class RedemptionItem(models.Model):
    """A community service in the redemption catalogue: its price in points, its provider and how many are left."""

    name = models.CharField(_("item name"), max_length=120)
    description = models.CharField(_("description"), max_length=400, blank=True, default="")
    points = models.PositiveIntegerField(_("points"))
    owner = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="redemption_items", verbose_name=_("owner organisation")
    )
    stock = models.PositiveIntegerField(_("stock"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["owner_id", "points", "name"]
        verbose_name = _("redemption item")
        verbose_name_plural = _("redemption items")
        constraints = [models.CheckConstraint(condition=models.Q(points__gt=0), name="redemption_item_points_positive")]

    def __str__(self) -> str:
        return self.name


# --- volunteers: certification, service requests, service records --------------------------------------------------


class ServiceField(models.TextChoices):
    """A field of volunteer service; certification is per field (``core/certification.py`` names the issuers)."""

    LEGAL = "legal", _("legal aid")
    MEDICAL = "medical", _("health visits")
    PSYCHOLOGICAL = "psychological", _("psychological support")
    ELDERLY_CARE = "elderly_care", _("elderly care")
    EMERGENCY = "emergency", _("emergency rescue")
    GENERAL = "general", _("general volunteering")


class CertificationLevel(models.IntegerChoices):
    BASIC = 1, _("basic")
    INTERMEDIATE = 2, _("intermediate")
    SENIOR = 3, _("senior")


class NoRewrite:
    """A row written once: saving an existing row is refused (its later history is kept in event rows)."""

    frozen_fields: tuple[str, ...] = ()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or set(fields) & set(self.frozen_fields):
                raise AppendOnlyError(f"{type(self).__name__} rows are written once")
        super().save(*args, **kwargs)  # type: ignore[misc]


class Certification(NoRewrite, models.Model):
    """A volunteer's certification in one field at one level, issued by a recognised body with evidence and an
    expiry. Only its revocation changes it afterwards (``revoked_*``, set once, with a history event)."""

    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certifications", verbose_name=_("volunteer")
    )
    field = models.CharField(_("field of service"), max_length=16, choices=ServiceField.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=CertificationLevel.choices)
    issuer = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="certifications", verbose_name=_("issuing body")
    )
    evidence = models.CharField(_("evidence"), max_length=400)
    evidence_file = models.FileField(_("evidence file"), upload_to="participation/certifications/%Y/", blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by")
    )
    issued_at = models.DateTimeField(_("issued at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revocation_reason = models.CharField(_("reason for revocation"), max_length=400, blank=True, default="")

    frozen_fields = (
        "volunteer",
        "field",
        "level",
        "issuer",
        "evidence",
        "evidence_file",
        "valid_from",
        "valid_until",
        "issued_by",
        "issued_at",
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("volunteer certification")
        verbose_name_plural = _("volunteer certifications")
        indexes = [models.Index(fields=["volunteer", "field"], name="participation_cert_person")]
        constraints = [
            models.CheckConstraint(condition=models.Q(valid_until__gte=models.F("valid_from")), name="cert_window")
        ]

    def __str__(self) -> str:
        return f"{self.get_field_display()} · {self.get_level_display()}"


class CertificationEvent(models.Model):
    """The append-only history of a certification: issued, revoked."""

    certification = models.ForeignKey(Certification, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    reason = models.CharField(max_length=400, blank=True, default="")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.certification_id} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("certification history is append-only")
        super().save(*args, **kwargs)


class RequestState(models.TextChoices):
    OPEN = "open", _("open")
    TAKEN = "taken", _("taken")
    RECORDED = "recorded", _("awaiting signature")
    SIGNED = "signed", _("signed, points credited")
    CANCELLED = "cancelled", _("cancelled")


class ServiceRequest(models.Model):
    """A volunteer task posted by a community worker (its owner), perhaps from a case or a resource demand of kind
    volunteer skill. One volunteer takes it; ``state`` is written only by ``service_request_transition``."""

    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True, default="")
    field = models.CharField(_("field of service"), max_length=16, choices=ServiceField.choices)
    min_level = models.PositiveSmallIntegerField(
        _("minimum level"), choices=CertificationLevel.choices, default=CertificationLevel.BASIC
    )
    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    place = models.CharField(_("place"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    expected_hours = models.DecimalField(_("expected hours"), max_digits=4, decimal_places=1)
    points_per_hour = models.PositiveSmallIntegerField(_("points per hour"), default=10)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="service_requests", verbose_name=_("issuing organisation")
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("case")
    )
    demand = models.ForeignKey(
        "resources.Demand",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("resource demand"),
    )
    state = models.CharField(_("state"), max_length=10, choices=RequestState.choices, default=RequestState.OPEN)
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requests_taken",
        verbose_name=_("volunteer"),
    )
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        indexes = [models.Index(fields=["state", "field"], name="participation_request_state")]

    def __str__(self) -> str:
        return self.title


class ServiceRequestEvent(models.Model):
    """The append-only timeline of a request: every transition with its actor."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=12)
    from_state = models.CharField(max_length=10)
    to_state = models.CharField(max_length=10)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("request history is append-only")
        super().save(*args, **kwargs)


class ServiceRecord(NoRewrite, models.Model):
    """A volunteer service record as the 民政部 rules on volunteer service records require: who, what, when, where,
    how many hours, free of charge. Written once; corrected only by ``ServiceRecordCorrection`` rows; its
    counter-signature (``signed_*``, ``earning``) is set once."""

    request = models.OneToOneField(ServiceRequest, on_delete=models.PROTECT, related_name="record")
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="service_records", verbose_name=_("volunteer")
    )
    content = models.TextField(_("service content"))
    place = models.CharField(_("place"), max_length=200)
    started_at = models.DateTimeField(_("started at"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    is_free_of_charge = models.BooleanField(_("free of charge"), default=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    earning = models.ForeignKey(
        Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("earning")
    )

    frozen_fields = (
        "request",
        "volunteer",
        "content",
        "place",
        "started_at",
        "hours",
        "is_free_of_charge",
        "recorded_by",
        "recorded_at",
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        constraints = [
            models.CheckConstraint(condition=models.Q(is_free_of_charge=True), name="service_record_free"),
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="service_record_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.started_at:%Y-%m-%d}"


class ServiceRecordCorrection(models.Model):
    """A correction of one field of a service record, with its reason; append-only."""

    record = models.ForeignKey(ServiceRecord, on_delete=models.PROTECT, related_name="corrections")
    field = models.CharField(_("field"), max_length=12)
    old_value = models.CharField(_("old value"), max_length=400)
    new_value = models.CharField(_("new value"), max_length=400)
    reason = models.CharField(_("reason"), max_length=400)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("service record correction")
        verbose_name_plural = _("service record corrections")

    def __str__(self) -> str:
        return f"{self.record_id} {self.field}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("corrections are append-only")
        super().save(*args, **kwargs)
