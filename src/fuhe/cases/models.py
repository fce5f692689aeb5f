"""Cases (诉求/工单) of the 接诉即办 closed loop, their timeline, summons and clocks.

``Case.state`` is assigned only by ``fuhe.cases.services.lifecycle.case_transition`` through the transition
table in ``core/lifecycle.py``.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuhe.cases.core.lifecycle import State
from fuhe.cases.core.workcalendar import ClockUnit
from fuhe.cases.labels import action_label, state_label
from fuhe.org.models import Region, Unit


class Category(models.Model):
    """A node of the category tree (the message board's real three-level taxonomy is the default seed)."""

    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    path = models.CharField(_("full name"), max_length=200, unique=True, help_text=_("level1/level2/level3"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.path.replace("/", " › ")


class Channel(models.TextChoices):
    WEB = "web", _("web form")
    HOTLINE = "hotline", _("hotline")
    PATROL = "patrol", _("patrol (proactive)")
    IMPORT = "import", _("import")
    API = "api", _("API")


class RequestType(models.TextChoices):
    CONSULTATION = "consultation", _("consultation (咨询)")
    HELP = "help", _("request for help (求助)")
    COMPLAINT = "complaint", _("complaint (投诉)")
    REPORT = "report", _("report (举报)")
    SUGGESTION = "suggestion", _("suggestion (建议)")
    PRAISE = "praise", _("praise (表扬)")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("normal (一般)")
    URGENT = "urgent", _("urgent (紧急)")
    CRITICAL = "critical", _("critical (特急)")


class DissatisfactionReason(models.TextChoices):
    """Why a resident is not satisfied (asked with every unsatisfied rating; kept on the rating's event)."""

    NOT_RESOLVED = "not_resolved", _("the problem is not solved")
    TOO_SLOW = "too_slow", _("it took too long")
    NEVER_CONTACTED = "never_contacted", _("nobody contacted me")
    PASSED_AROUND = "passed_around", _("passed from one office to another")
    ATTITUDE = "attitude", _("the staff's attitude")
    OTHER = "other", _("another reason")


class ReplyOutcome(models.TextChoices):
    RESOLVED = "resolved", _("resolved")
    EXPLAINED = "explained", _("explained / answered")
    NOT_OUR_DUTY = "not_our_duty", _("not this unit's duty (reassigned)")
    TRACKED = "tracked", _("cannot be resolved now (tracked list 挂账)")


CASE_STATES = [(state.value, state.zh) for state in State]
CLOCK_UNITS = [(unit.value, unit.value.replace("_", " ")) for unit in ClockUnit]


class ClockPolicy(models.Model):
    """Response and resolution clocks per request type, category and urgency; the most specific row wins."""

    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    request_type = models.CharField(
        _("request type"),
        max_length=16,
        choices=RequestType.choices,
        blank=True,
        default="",
        help_text=_("Empty: any type."),
    )
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name=_("category"),
        help_text=_("Empty: any category."),
    )
    # the intake (dispatch) clock: receipt → dispatch, direct reply or dismissal (派单时限; docs/metrics.md)
    intake_amount = models.DecimalField(_("dispatch limit"), max_digits=6, decimal_places=2, default=1)
    intake_unit = models.CharField(_("dispatch unit"), max_length=14, choices=CLOCK_UNITS, default="working_day")
    acceptance_amount = models.DecimalField(_("acceptance limit"), max_digits=6, decimal_places=2)
    acceptance_unit = models.CharField(_("acceptance unit"), max_length=14, choices=CLOCK_UNITS)
    resolution_amount = models.DecimalField(_("resolution limit"), max_digits=6, decimal_places=2)
    resolution_unit = models.CharField(_("resolution unit"), max_length=14, choices=CLOCK_UNITS)
    warn_before_hours = models.DecimalField(_("warn before (hours)"), max_digits=6, decimal_places=2, default=4)
    source = models.CharField(_("source"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("clock policy")
        verbose_name_plural = _("clock policies")
        constraints = [
            models.UniqueConstraint(
                fields=["urgency", "request_type", "category"], name="unique_clock_policy", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        return f"{self.urgency}/{self.request_type or '*'}/{self.category_id or '*'}"


class CalendarDay(models.Model):
    """Administrator-entered holidays and make-up working days (override the library; cover unknown years)."""

    day = models.DateField(_("day"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=60, blank=True, default="")

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.day} {'workday' if self.is_workday else 'holiday'}"


class Case(models.Model):
    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    access_token_hash = models.CharField(max_length=64, help_text="SHA-256 of the resident's tracking secret")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    request_type = models.CharField(
        _("request type"), max_length=16, choices=RequestType.choices, default=RequestType.HELP
    )
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("what happened"), max_length=4000)
    # No single-column indexes where a composite index (Meta.indexes) starts with the column: every index is
    # written on every intake (docs/performance.md).
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("category"),
        db_index=False,
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    address = models.CharField(_("address"), max_length=200, blank=True, default="")
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("region"),
        db_index=False,
    )
    reporter_name = models.CharField(_("reporter"), max_length=60, blank=True, default="")
    reporter_phone = models.CharField(_("reporter phone"), max_length=20, blank=True, default="")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_cases",
        verbose_name=_("reporter account"),
        db_index=False,
    )  # the partial index cases_case_reporter_set serves it
    is_proactive = models.BooleanField(_("proactive (未诉先办)"), default=False)
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Non-public cases are never listed through open interfaces.")
    )
    # indexed as the first column of cases_case_rates_cover
    created_at = models.DateTimeField(_("received"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("received by"),
        db_index=False,
    )
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    request_fingerprint = models.CharField(max_length=64, blank=True, default="")

    state = models.CharField(_("state"), max_length=14, choices=CASE_STATES, default=State.RECEIVED)
    owner_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_cases",
        verbose_name=_("handling unit"),
        db_index=False,
    )
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    # the intake clock (``services.clocks``): started at receipt, set by the deadline sweep, stopped by dispatch,
    # a direct reply or a dismissal; ``intake_escalated_at``: when the district was told it had passed
    intake_due = models.DateTimeField(_("dispatch by"), null=True, blank=True)
    intake_escalated_at = models.DateTimeField(_("dispatch limit passed"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    acceptance_due = models.DateTimeField(_("accept by"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolve by"), null=True, blank=True)
    deadline_uses_fallback = models.BooleanField(_("deadline on fallback calendar"), default=False)
    warned_at = models.DateTimeField(null=True, blank=True)
    extension_pending_days = models.PositiveSmallIntegerField(null=True, blank=True)
    hop_count = models.PositiveSmallIntegerField(_("hops"), default=0)
    return_count = models.PositiveSmallIntegerField(_("returns"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("reopens"), default=0)
    was_escalated = models.BooleanField(_("escalated"), default=False)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
        verbose_name=_("merged into"),
        db_index=False,
    )
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    reply_outcome = models.CharField(_("outcome"), max_length=14, choices=ReplyOutcome.choices, blank=True, default="")
    reply_text = models.TextField(_("reply"), blank=True, default="")
    replied_on_time = models.BooleanField(null=True, blank=True)
    accepted_on_time = models.BooleanField(null=True, blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    rating_resolved = models.BooleanField(_("resolved (resident)"), null=True, blank=True)
    rating_satisfied = models.BooleanField(_("satisfied (resident)"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    routing = models.JSONField(_("routing explanation"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["region", "state", "created_at"]),
            # the worklist's region branch: one seek per open state, then the street's range
            models.Index(fields=["state", "region"], name="cases_case_state_region"),
            # own reports: most cases have no reporter account, so the partial index stays small and its
            # statistics are not swamped by NULLs (the full index made SQLite scan the table after ANALYZE)
            models.Index(fields=["reporter"], name="cases_case_reporter_set", condition=Q(reporter__isnull=False)),
            # Columns that are empty when a case is received are indexed only where they are set (the handler's
            # worklist, a category's cases, deadlines, merges): a new case then writes 6 index pages fewer, and
            # every query that compares such a column implies it is set, so it still uses the index.
            models.Index(
                fields=["owner_unit", "state", "resolution_due"],
                name="cases_case_owner_set",
                condition=Q(owner_unit__isnull=False),
            ),
            models.Index(fields=["state", "resolution_due"]),
            models.Index(
                fields=["category", "created_at"], name="cases_case_category_set", condition=Q(category__isnull=False)
            ),
            models.Index(
                fields=["resolution_due"], name="cases_case_due_set", condition=Q(resolution_due__isnull=False)
            ),
            models.Index(
                fields=["created_by"], name="cases_case_created_by_set", condition=Q(created_by__isnull=False)
            ),
            models.Index(fields=["merged_into"], name="cases_case_merged_set", condition=Q(merged_into__isnull=False)),
            # a caller's earlier cases (the queue's repeat callers): only cases with a phone
            models.Index(
                fields=["reporter_phone", "created_at"], name="cases_case_phone_set", condition=~Q(reporter_phone="")
            ),
            # the three rates: a period's cases with every column the counts and the groupings read, so the
            # aggregation is answered from the index alone (the table's rows would be read one by one)
            models.Index(
                fields=[
                    "created_at",
                    "region",
                    "owner_unit",
                    "category",
                    "state",
                    "dispatched_at",
                    "accepted_on_time",
                    "acceptance_due",
                    "replied_at",
                    "replied_on_time",
                    "resolution_due",
                    "rating_resolved",
                    "rating_satisfied",
                    "return_count",
                    "reopen_count",
                ],
                name="cases_case_rates_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.title}"

    def get_state_display(self) -> str:
        """The state's name in the reader's language (``cases.labels``), not the choices' Chinese term."""
        return state_label(self.state)


EVENT_LABELS = {
    "receive": _("received"),
    "whistle": _("departments summoned (吹哨)"),
    "report_in": _("department reported in (报到)"),
    "release": _("summons released"),
    "deadline_recomputed": _("deadline recomputed (official holiday schedule)"),
    "intake_overdue": _("not dispatched within the dispatch limit: the district was notified"),
}


class CaseSearch(models.Model):
    """The search terms of a case (``fuhe.cases.core.search``: the distinct bigrams of its title, text and address)
    on PostgreSQL, with a GIN index over them (migration 0008). SQLite keeps only an FTS5 index of the terms
    (the contentless ``cases_casesearch_fts``, a fifth of this table's size), so this table stays empty there.
    Written with the case by intake (``index_for_search``); never edited."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="search")
    terms = models.TextField(blank=True, default="")

    def __str__(self) -> str:
        return f"search terms of {self.case_id}"


class CaseEvent(models.Model):
    """The append-only timeline of a case: every transition, reminder, report-in and note."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    action = models.CharField(max_length=24)
    from_state = models.CharField(max_length=14, blank=True, default="")
    to_state = models.CharField(max_length=14, blank=True, default="")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    reason = models.TextField(blank=True, default="")
    is_public = models.BooleanField(default=True, help_text="shown to the resident on the tracking page")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        # most events (a resident's report, the system's steps) have no actor or unit: index only those that do
        indexes = [
            models.Index(fields=["actor"], name="cases_event_actor_set", condition=Q(actor__isnull=False)),
            models.Index(fields=["unit"], name="cases_event_unit_set", condition=Q(unit__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("case events are append-only")
        super().save(*args, **kwargs)

    def get_action_label(self) -> str:
        if self.action in EVENT_LABELS:
            return str(EVENT_LABELS[self.action])
        return action_label(self.action)


class Summons(models.Model):
    """吹哨: a street/township (or community) calls departments to report in on one case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="summonses")
    whistled_by = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    whistled_at = models.DateTimeField()
    due_at = models.DateTimeField()
    reason = models.TextField()

    class Meta:
        ordering = ["whistled_at"]

    def __str__(self) -> str:
        return f"summons {self.pk} on case {self.case_id}"


class ReportInStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    REPORTED = "reported", _("reported in")
    RELEASED = "released", _("released")


class ReportIn(models.Model):
    """报到: one summoned department's answer; punctuality feeds two-way assessment."""

    summons = models.ForeignKey(Summons, on_delete=models.CASCADE, related_name="report_ins")
    department = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="report_ins")
    status = models.CharField(max_length=10, choices=ReportInStatus.choices, default=ReportInStatus.PENDING)
    reported_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    is_on_time = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["summons", "department"], name="one_report_in_per_department")]

    def __str__(self) -> str:
        return f"{self.department_id} {self.status}"


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text


class KnowledgeEntry(models.Model):
    """知识库: answers to common questions, so a consultation can be answered at intake without dispatch (直办)."""

    question = models.CharField(_("question"), max_length=200)
    answer = models.TextField(_("answer"))
    keywords = models.CharField(
        _("keywords"),
        max_length=300,
        blank=True,
        default="",
        help_text=_("Words that should find this entry, separated by spaces."),
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("category")
    )
    source = models.CharField(_("source"), max_length=200, blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["question"]
        verbose_name = _("knowledge-base entry")
        verbose_name_plural = _("knowledge base")

    def __str__(self) -> str:
        return self.question


class ImportJobStatus(models.TextChoices):
    UPLOADED = "uploaded", _("uploaded: choose the columns")
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("importing")
    DONE = "done", _("done")
    FAILED = "failed", _("failed: see the problems")  # the job page says whether batches were written before


class ImportJob(models.Model):
    """One uploaded file of hotline tickets: mapped, then imported by the background worker in batches.

    Every row is checked before anything is written; then each batch of ``batch_size`` tickets commits in its own
    short transaction together with the job's counters (``batches_done``, ``processed``, …), so a restarted job
    resumes after its committed batches. ``attempt`` counts the runs that claimed the job: a batch commits only if
    the job is still its run's (a job recovered from a dead worker is never written by two runs).
    ``heartbeat_at`` moves with every batch; a running job whose heartbeat is older than ``STALLED_AFTER`` has
    lost its worker and may be resumed."""

    STALLED_AFTER = timedelta(minutes=5)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    header = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=ImportJobStatus.choices, default=ImportJobStatus.UPLOADED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    batch_size = models.PositiveIntegerField(default=200)
    batches_done = models.PositiveIntegerField(default=0)
    attempt = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 0

    @property
    def is_stalled(self) -> bool:
        """Running (or queued) without a sign of life for ``STALLED_AFTER``: its worker died or lost the task."""
        if self.status not in (ImportJobStatus.QUEUED, ImportJobStatus.RUNNING):
            return False
        return timezone.now() - (self.heartbeat_at or self.created_at) > self.STALLED_AFTER

    @property
    def is_resumable(self) -> bool:
        """Stalled, or failed after some batches were committed: starting it again continues after them."""
        return self.is_stalled or (self.status == ImportJobStatus.FAILED and self.batches_done > 0)


def photo_path(instance, filename: str) -> str:
    return f"case-photos/{instance.case_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()[:6]}"


class CasePhoto(models.Model):
    """An optional photo a resident or staff member adds to a case; served only to those who may see the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=photo_path)
    content_type = models.CharField(max_length=40)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.image.name
