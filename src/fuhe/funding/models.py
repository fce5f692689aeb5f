"""Project-based allocation (项目化运作、公益创投、购买服务): a fund owner's call, the applications against its
demands, the panel's scores, the awards and the money's path to the delivered service. Written only by
``fuhe.funding.services``; amounts are whole fen (分), never floats (docs/funding.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuhe.funding.core.money import format_yuan
from fuhe.org.models import Region, Unit
from fuhe.resources.models import Demand


class AppendOnly(models.Model):
    """Rows of a ledger: written once, never edited (a correction is a new row)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("funding ledger rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("funding ledger rows are append-only")


class CallState(models.TextChoices):
    OPEN = "open", _("open for applications")
    AWARDED = "awarded", _("awarded")


class Call(models.Model):
    owner = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="funding_calls", verbose_name=_("fund owner")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    budget_fen = models.BigIntegerField(_("budget (fen)"))
    eligible_kinds = models.JSONField(_("eligible applicant kinds"), default=list)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    demands = models.ManyToManyField(Demand, blank=True, related_name="funding_calls", verbose_name=_("demands"))
    opens_on = models.DateField(_("applications open on"))
    closes_on = models.DateField(_("applications close on"))
    minimum_score = models.PositiveSmallIntegerField(_("minimum total score"), default=0)
    panel = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="funding_panels", verbose_name=_("panel"))
    state = models.CharField(_("state"), max_length=10, choices=CallState.choices, default=CallState.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    awarded_at = models.DateTimeField(_("awarded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("call for projects")
        verbose_name_plural = _("calls for projects")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def budget_yuan(self) -> str:
        return format_yuan(self.budget_fen)


class Criterion(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=120)
    weight = models.PositiveSmallIntegerField(_("weight"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight})"


class ApplicationState(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    AWARDED = "awarded", _("awarded")
    NOT_AWARDED = "not_awarded", _("not awarded")


class Application(models.Model):
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    applicant = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="funding_applications", verbose_name=_("applicant")
    )
    demand = models.ForeignKey(
        Demand,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="funding_applications",
        verbose_name=_("demand addressed"),
    )
    title = models.CharField(_("project title"), max_length=200)
    plan = models.TextField(_("plan"))
    requested_fen = models.BigIntegerField(_("requested amount (fen)"))
    state = models.CharField(
        _("state"), max_length=12, choices=ApplicationState.choices, default=ApplicationState.SUBMITTED
    )
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [models.UniqueConstraint(fields=["call", "applicant", "demand"], name="funding_one_per_demand")]

    def __str__(self) -> str:
        return self.title

    @property
    def requested_yuan(self) -> str:
        return format_yuan(self.requested_fen)


class DeliverableState(models.TextChoices):
    PLANNED = "planned", _("planned")
    REPORTED = "reported", _("reported delivered")
    CONFIRMED = "confirmed", _("confirmed by the requester")


class Deliverable(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="deliverables")
    description = models.CharField(_("deliverable"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_label = models.CharField(_("unit"), max_length=20, blank=True, default="")
    due_on = models.DateField(_("due on"))
    state = models.CharField(_("state"), max_length=10, choices=DeliverableState.choices, default="planned")
    delivered_quantity = models.PositiveIntegerField(_("delivered quantity"), default=0)
    report_note = models.TextField(_("delivery note"), blank=True, default="")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.description} × {self.quantity}"


class Score(AppendOnly):
    """One panel member's score of one application on one criterion; a correction is a new row with a reason."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    supersedes = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason for the correction"), blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.application_id}/{self.criterion_id}/{self.member_id}: {self.score}"


class Award(AppendOnly):
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award")
    amount_fen = models.BigIntegerField(_("amount awarded (fen)"))
    rank = models.PositiveIntegerField(_("rank"))
    total_score = models.DecimalField(_("total score"), max_digits=7, decimal_places=3)
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    awarded_at = models.DateTimeField()

    class Meta:
        ordering = ["rank", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {format_yuan(self.amount_fen)}"

    @property
    def amount_yuan(self) -> str:
        return format_yuan(self.amount_fen)


class Tranche(AppendOnly):
    """Money paid by the owner to the awardee (拨付)."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="tranches")
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    paid_on = models.DateField(_("paid on"))
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["paid_on", "id"]

    def __str__(self) -> str:
        return format_yuan(self.amount_fen)

    @property
    def amount_yuan(self) -> str:
        return format_yuan(self.amount_fen)


class SpendingLine(AppendOnly):
    """Money the awardee spent on the project (支出明细), with optional evidence."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="spending")
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    spent_on = models.DateField(_("spent on"))
    purpose = models.CharField(_("purpose"), max_length=200)
    evidence = models.FileField(_("evidence"), upload_to="funding/evidence/%Y/%m/", blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["spent_on", "id"]

    def __str__(self) -> str:
        return f"{self.purpose}: {format_yuan(self.amount_fen)}"

    @property
    def amount_yuan(self) -> str:
        return format_yuan(self.amount_fen)
