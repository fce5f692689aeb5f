"""Burden metering: the registry of tasks sent down to grassroots units, the admission gate's decisions, the
hidden-assessment flags, the fill-once data catalogue (一表通), recorded effort and emergency bypasses.

``Task.status`` is assigned only by ``fuhe.burden.services`` through ``core.admission.TRANSITIONS``.
Decisions, data values and effort records are append-only ledgers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuhe.org.models import Region, Unit


class TaskKind(models.TextChoices):
    FORM = "form", _("form / report")
    INSPECTION = "inspection", _("inspection")
    MEETING = "meeting", _("meeting")
    CAMPAIGN = "campaign", _("campaign")
    CHECK_IN = "check_in", _("check-in / photo evidence")
    RANKING = "ranking", _("ranking / appraisal")
    PLEDGE = "pledge", _("pledge / responsibility letter")
    OTHER = "other", _("other")


#: prior effort per occurrence and receiving unit, in minutes (refined from recorded effort)
DEFAULT_EFFORT_MINUTES = {
    TaskKind.FORM: 20,
    TaskKind.INSPECTION: 180,
    TaskKind.MEETING: 150,
    TaskKind.CAMPAIGN: 480,
    TaskKind.CHECK_IN: 20,
    TaskKind.RANKING: 120,
    TaskKind.PLEDGE: 45,
    TaskKind.OTHER: 90,
}


class EffortBasis(models.TextChoices):
    UNIT = "unit", _("once per unit")
    STAFF = "staff", _("per staff member (everyone takes part)")
    GRID = "grid", _("per grid (e.g. door-to-door visits)")


DEFAULT_EFFORT_BASIS = {
    TaskKind.CAMPAIGN: EffortBasis.STAFF,
    TaskKind.MEETING: EffortBasis.STAFF,
    TaskKind.CHECK_IN: EffortBasis.STAFF,
    TaskKind.INSPECTION: EffortBasis.GRID,
}


class Recurrence(models.TextChoices):
    ONCE = "once", _("once")
    DAILY = "daily", _("daily")
    WEEKLY = "weekly", _("weekly")
    BIWEEKLY = "biweekly", _("every two weeks")
    MONTHLY = "monthly", _("monthly")


RECURRENCE_DAYS = {
    Recurrence.ONCE: None,
    Recurrence.DAILY: 1,
    Recurrence.WEEKLY: 7,
    Recurrence.BIWEEKLY: 14,
    Recurrence.MONTHLY: 30,
}


class EvidenceKind(models.TextChoices):
    NONE = "none", _("no evidence")
    SIGNED_RECEIPT = "signed_receipt", _("signed receipt")
    PHOTO = "photo", _("work photos")
    VIDEO = "video", _("videos")
    LOCATION_TRACK = "location_track", _("location tracks")
    LEDGER = "ledger", _("paper ledger (台账)")
    CHECK_IN = "check_in", _("check-in / sign-in (打卡签到)")
    ONLINE_TIME = "online_time", _("online time")
    LIKES_FORWARDS = "likes_forwards", _("likes, forwards or votes")
    STUDY_TIME = "study_time", _("study time")
    APP_INSTALL = "app_install", _("app install or usage rate")


class TargetLevel(models.TextChoices):
    COMMUNITY = "community", _("community/village committees")
    STREET = "street", _("street offices / township governments")


class TaskStatus(models.TextChoices):
    ADMITTED = "admitted", _("admitted")
    ADMITTED_ASSISTING = "admitted_assisting", _("admitted as assistance")
    PENDING_APPROVAL = "pending_approval", _("awaiting approval")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


REACHING_STATUSES = (TaskStatus.ADMITTED, TaskStatus.ADMITTED_ASSISTING, TaskStatus.APPROVED)


class BurdenPolicy(models.Model):
    """The configurable rules of a region (a district, or the city as default): who approves unlisted tasks,
    the admission periods, and the flag thresholds."""

    region = models.OneToOneField(
        Region, on_delete=models.PROTECT, related_name="burden_policy", verbose_name=_("region")
    )
    approval_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approving body"),
        help_text=_("Decides on tasks outside the admission lists, e.g. the district's burden-reduction office."),
    )
    application_period_days = models.PositiveSmallIntegerField(
        _("application period (working days)"),
        default=30,
        help_text=_("An application must come this many working days before the task starts."),
    )
    decision_period_days = models.PositiveSmallIntegerField(_("decision period (working days)"), default=15)
    filing_period_days = models.PositiveSmallIntegerField(_("after-the-fact filing period (working days)"), default=3)
    min_working_days = models.PositiveSmallIntegerField(_("shortest deadline (working days)"), default=3)
    min_interval_days = models.PositiveSmallIntegerField(_("shortest recurrence interval (days)"), default=7)
    similarity = models.FloatField(_("same-content similarity threshold"), default=0.6)
    same_content_window_days = models.PositiveSmallIntegerField(_("same-content window (days)"), default=30)
    case_effort_minutes = models.PositiveSmallIntegerField(_("effort per case (minutes)"), default=90)
    effort_minutes = models.JSONField(
        _("effort per task kind (minutes)"),
        default=dict,
        blank=True,
        help_text=_("Overrides the default prior per task kind."),
    )

    class Meta:
        verbose_name = _("burden policy")
        verbose_name_plural = _("burden policies")

    def __str__(self) -> str:
        return f"{self.region.name}"


class Task(models.Model):
    """A task sent by a department or higher level to grassroots units: reaches them only through here."""

    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=TaskKind.choices)
    content = models.TextField(_("content"), max_length=4000, blank=True, default="")
    sender = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="burden_tasks_sent", verbose_name=_("sender")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), db_index=True)
    target_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="burden_tasks", verbose_name=_("target region")
    )
    target_level = models.CharField(
        _("target level"), max_length=10, choices=TargetLevel.choices, default=TargetLevel.COMMUNITY
    )
    duty_list_id = models.BigIntegerField(_("duty list"), null=True, blank=True)
    duty_item_code = models.CharField(_("duty item"), max_length=20, blank=True, default="")
    duty_item_matter = models.CharField(_("matter"), max_length=200, blank=True, default="")
    list_category = models.CharField(_("list category"), max_length=10, blank=True, default="")
    lead_unit_name = models.CharField(_("lead unit"), max_length=120, blank=True, default="")
    resources = models.CharField(
        _("resources that come with the task (费随事转)"), max_length=300, blank=True, default=""
    )
    approval_reason = models.TextField(_("reason for approval"), max_length=2000, blank=True, default="")
    starts_at = models.DateTimeField(_("starts"))
    due_at = models.DateTimeField(_("deadline"))
    recurrence = models.CharField(_("recurrence"), max_length=10, choices=Recurrence.choices, default=Recurrence.ONCE)
    recurrence_until = models.DateField(_("repeats until"), null=True, blank=True)
    evidence = models.JSONField(_("evidence demanded"), default=list, blank=True)
    effort_minutes = models.FloatField(_("estimated effort per occurrence (minutes)"), default=0)
    effort_basis = models.CharField(
        _("effort counted"), max_length=6, choices=EffortBasis.choices, default=EffortBasis.UNIT
    )
    status = models.CharField(_("status"), max_length=20, choices=TaskStatus.choices, db_index=True)
    decision_rule = models.CharField(_("decision rule"), max_length=32, blank=True, default="")
    decision_reason = models.TextField(_("decision reason"), blank=True, default="")
    decision_params = models.JSONField(_("what the decision names"), default=dict, blank=True)  # for translation
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_due = models.DateTimeField(_("decide by"), null=True, blank=True)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resends",
        verbose_name=_("earlier version"),
        help_text=_("The refused request this one was edited from and sent again."),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [models.Index(fields=["sender", "created_at"]), models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def reaches_units(self) -> bool:
        return self.status in REACHING_STATUSES

    @property
    def interval_days(self) -> int | None:
        return RECURRENCE_DAYS.get(self.recurrence)


class TaskTarget(models.Model):
    """One receiving unit of a task, with what the form asks of it and the effort it took."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="targets", verbose_name=_("task"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="burden_targets", verbose_name=_("unit"))
    region_id = models.BigIntegerField(_("region"), db_index=True)  # the unit's region, for range filters
    estimated_minutes = models.FloatField(_("estimated minutes per occurrence"), default=0)
    fields_total = models.PositiveSmallIntegerField(_("form fields"), default=0)
    fields_prefilled = models.PositiveSmallIntegerField(_("prefilled fields"), default=0)
    minutes_saved = models.FloatField(_("minutes saved by prefill"), default=0)
    actual_minutes = models.FloatField(_("recorded minutes"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    bypassed = models.BooleanField(_("acted on in an emergency"), default=False)

    class Meta:
        ordering = ["task_id", "unit_id"]
        verbose_name = _("task target")
        verbose_name_plural = _("task targets")
        constraints = [models.UniqueConstraint(fields=["task", "unit"], name="unique_task_target")]
        indexes = [models.Index(fields=["unit", "task"])]

    def __str__(self) -> str:
        return f"{self.task} → {self.unit}"


class AdmissionDecision(models.Model):
    """Append-only: every decision of the gate or the approving body."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("task"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=TaskStatus.choices)
    rule = models.CharField(_("rule"), max_length=32)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"))

    class Meta:
        ordering = ["decided_at", "id"]
        verbose_name = _("admission decision")
        verbose_name_plural = _("admission decisions")

    def __str__(self) -> str:
        return f"{self.task_id}: {self.outcome} ({self.rule})"


class HiddenAssessmentFlag(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="flags", verbose_name=_("task"))
    sender = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("sender"))
    rule = models.CharField(_("rule"), max_length=24)
    explanation = models.TextField(_("explanation"))
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("raised"))

    class Meta:
        ordering = ["task_id", "rule"]
        verbose_name = _("hidden-assessment flag")
        verbose_name_plural = _("hidden-assessment flags")
        constraints = [models.UniqueConstraint(fields=["task", "rule"], name="unique_flag_rule")]
        indexes = [models.Index(fields=["sender", "rule"])]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.rule}"


class DataSource(models.TextChoices):
    PLATFORM = "platform", _("platform case data")
    ORG = "org", _("org tree")
    SUBMISSION = "submission", _("form submissions")
    MANUAL = "manual", _("manual entry")


class DataItem(models.Model):
    """A catalogue item (一表通): collected once, reused by every form while it is valid."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    aliases = models.JSONField(_("other names"), default=list, blank=True)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=20, blank=True, default="")
    source = models.CharField(_("source"), max_length=10, choices=DataSource.choices)
    owner = models.CharField(_("owner"), max_length=60, blank=True, default="")
    validity_days = models.PositiveIntegerField(
        _("valid for (days)"), null=True, blank=True, help_text=_("Empty: valid until replaced.")
    )
    effort_minutes = models.FloatField(_("minutes to collect by hand"), default=3)
    derivation = models.CharField(
        _("derived from"),
        max_length=60,
        blank=True,
        default="",
        help_text=_("For platform and org items: what the platform computes."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("data item")
        verbose_name_plural = _("data items")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class DataValue(models.Model):
    """Append-only: a value of a catalogue item for a unit, as of a moment. The freshest valid one is used."""

    item = models.ForeignKey(DataItem, on_delete=models.CASCADE, related_name="values", verbose_name=_("item"))
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    value = models.CharField(_("value"), max_length=200)
    as_of = models.DateTimeField(_("as of"))
    source = models.CharField(_("source"), max_length=10, choices=DataSource.choices)
    target = models.ForeignKey(TaskTarget, null=True, blank=True, on_delete=models.SET_NULL, related_name="values")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-as_of"]
        verbose_name = _("data value")
        verbose_name_plural = _("data values")
        indexes = [models.Index(fields=["unit", "item", "as_of"])]

    def __str__(self) -> str:
        return f"{self.item_id}@{self.unit_id} = {self.value}"


class FormField(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="fields", verbose_name=_("task"))
    position = models.PositiveSmallIntegerField(_("position"))
    label = models.CharField(_("label"), max_length=120)
    item = models.ForeignKey(
        DataItem,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("catalogue item"),
        help_text=_("Empty: off-catalogue (一事一报)."),
    )
    minutes = models.FloatField(_("minutes to fill"), default=3)

    class Meta:
        ordering = ["task_id", "position"]
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        constraints = [models.UniqueConstraint(fields=["task", "position"], name="unique_field_position")]

    def __str__(self) -> str:
        return self.label


class FormAnswer(models.Model):
    """Answers to off-catalogue fields (catalogue answers become ``DataValue`` rows)."""

    target = models.ForeignKey(TaskTarget, on_delete=models.CASCADE, related_name="answers")
    field = models.ForeignKey(FormField, on_delete=models.CASCADE, related_name="answers")
    value = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"{self.field_id}: {self.value}"


class EffortRecord(models.Model):
    """Optional, one tap: how long a task took a unit. Refines the estimates; never required."""

    target = models.ForeignKey(TaskTarget, on_delete=models.CASCADE, related_name="efforts")
    kind = models.CharField(max_length=12, choices=TaskKind.choices)
    minutes = models.FloatField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["kind", "recorded_at"])]

    def __str__(self) -> str:
        return f"{self.target_id}: {self.minutes} min"


class EmergencyBypass(models.Model):
    """A unit acted on a task outside normal admission in a declared emergency; must file an after-the-fact
    explanation (事后备案) by ``filing_due``."""

    target = models.OneToOneField(TaskTarget, on_delete=models.CASCADE, related_name="bypass")
    emergency = models.CharField(_("emergency"), max_length=200)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    declared_at = models.DateTimeField(_("declared"))
    filing_due = models.DateTimeField(_("file by"), db_index=True)
    filed_at = models.DateTimeField(_("filed"), null=True, blank=True)
    explanation = models.TextField(_("after-the-fact explanation (事后备案)"), blank=True, default="")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_late = models.BooleanField(_("filed late"), default=False, help_text=_("Filed after the filing deadline."))

    class Meta:
        ordering = ["filing_due"]
        verbose_name = _("emergency bypass")
        verbose_name_plural = _("emergency bypasses")

    def __str__(self) -> str:
        return f"{self.target_id}: {self.emergency}"
