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
