"""Deliberation (议事协商): topics and their evidence, bodies and meetings with validated attendance and quorum,
resolutions bound to real work, the village procedure 四议两公开, and residents' proposals with votes.

``VillageMatter.state`` is assigned only by ``services.village_step_record`` through ``core/procedure.py``;
``Proposal.status`` only by the proposal services. A resolution item's progress is never stored: it is derived
from the case, task or demand it became (``selectors.item_progress``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuhe.burden.models import Task
from fuhe.cases.models import Case
from fuhe.deliberation.core.procedure import Step
from fuhe.deliberation.core.quorum import BodyKind as CoreBodyKind
from fuhe.org.models import Region, Unit
from fuhe.resources.models import Demand


class BodyKind(models.TextChoices):
    RESIDENTS_COUNCIL = CoreBodyKind.RESIDENTS_COUNCIL, _("residents' council (居民议事会)")
    VILLAGER_REPRESENTATIVES = (
        CoreBodyKind.VILLAGER_REPRESENTATIVES,
        _("villagers' representatives meeting (村民代表会议)"),
    )
    VILLAGER_ASSEMBLY = CoreBodyKind.VILLAGER_ASSEMBLY, _("villagers' assembly (村民会议)")
    CONSULTATION = CoreBodyKind.CONSULTATION, _("consultation meeting (恳谈会)")


class Body(models.Model):
    """A deliberative body of one community or village, with its membership list."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=24, choices=BodyKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    convener = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("convening unit"), null=True, blank=True
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", through_fields=("body", "user"), related_name="+"
    )
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("deliberative body")
        verbose_name_plural = _("deliberative bodies")
        ordering = ["region_id", "name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["body", "user"], name="deliberation_unique_member")]

    def __str__(self) -> str:
        return f"{self.body_id}:{self.user_id}"


class TopicSource(models.TextChoices):
    RESIDENT = "resident", _("raised by a resident")
    STAFF = "staff", _("raised by staff")
    CASES = "cases", _("a cluster of cases")
    RESOURCE_GAP = "resource_gap", _("a resource gap")
    PROPOSAL = "proposal", _("a residents' proposal")


class Topic(models.Model):
    """A matter for deliberation (议题), with the evidence that raised it."""

    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=4000, blank=True, default="")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    source = models.CharField(_("source"), max_length=14, choices=TopicSource.choices)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("raised"))
    evidence_cases = models.ManyToManyField(Case, related_name="+", blank=True)
    evidence_demands = models.ManyToManyField(Demand, related_name="+", blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class MeetingMode(models.TextChoices):
    OFFLINE = "offline", _("in person")
    ONLINE = "online", _("online")


class Meeting(models.Model):
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("body"))
    title = models.CharField(_("title"), max_length=120)
    mode = models.CharField(_("mode"), max_length=8, choices=MeetingMode.choices, default=MeetingMode.OFFLINE)
    starts_at = models.DateTimeField(_("starts"))
    place = models.CharField(_("place or link"), max_length=200, blank=True, default="")
    minutes = models.TextField(_("minutes"), max_length=20000, blank=True, default="")
    minutes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    invited_at = models.DateTimeField(_("invitations sent"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.title


class Proposal(models.Model):
    """A resident's proposal (居民提案): comments, a feasibility note, then votes; past the threshold it becomes
    one agenda item; a rejection is published with its reason."""

    class Status(models.TextChoices):
        OPEN = "open", _("open for comments")
        VOTING = "voting", _("open for votes")
        ON_AGENDA = "on_agenda", _("on the agenda")
        REJECTED = "rejected", _("rejected")

    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("proposal"), max_length=4000)
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("body"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("community"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    feasibility_note = models.TextField(_("feasibility note (可行性)"), max_length=4000, blank=True, default="")
    feasibility_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    feasibility_at = models.DateTimeField(null=True, blank=True)
    support_threshold = models.PositiveIntegerField(_("support threshold"), default=10)
    rejection_reason = models.TextField(_("reason for rejection"), max_length=2000, blank=True, default="")
    rejected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class AgendaItem(models.Model):
    """An item on a meeting's agenda, or waiting for one (``meeting`` empty); ``due_at`` is its clock: by then a
    meeting must take it up."""

    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="agenda")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="+")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_items")
    proposal = models.OneToOneField(
        Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_item"
    )  # unique: a proposal becomes exactly one agenda item, however many votes race past the threshold
    title = models.CharField(_("title"), max_length=120)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    due_at = models.DateTimeField(_("to be taken up by"), null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """A person present at a meeting, recorded by a named staff member; only members count toward the quorum."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_member = models.BooleanField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="deliberation_unique_attendance")]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.user_id}"


class Resolution(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="resolutions")
    agenda_item = models.OneToOneField(AgendaItem, on_delete=models.PROTECT, related_name="resolution")
    text = models.TextField(_("resolution"), max_length=4000)
    members = models.PositiveIntegerField()  # the quorum's facts at adoption, kept with the resolution
    present = models.PositiveIntegerField()
    in_favour = models.PositiveIntegerField()
    against = models.PositiveIntegerField()
    abstaining = models.PositiveIntegerField()
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    adopted_at = models.DateTimeField()

    class Meta:
        ordering = ["-adopted_at"]

    def __str__(self) -> str:
        return self.text[:40]


class ItemKind(models.TextChoices):
    CASE = "case", _("case")
    TASK = "task", _("task")
    DEMAND = "demand", _("resource demand")


class ResolutionItem(models.Model):
    """One piece of work a resolution binds: exactly one of case, task or demand, with its owner and deadline."""

    resolution = models.ForeignKey(Resolution, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(_("kind"), max_length=8, choices=ItemKind.choices)
    title = models.CharField(_("title"), max_length=120)
    owner = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))
    due_at = models.DateTimeField(_("deadline"))
    case = models.OneToOneField(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    task = models.OneToOneField(Task, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    demand = models.OneToOneField(Demand, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    warned_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="case", case__isnull=False, task__isnull=True, demand__isnull=True)
                    | models.Q(kind="task", case__isnull=True, task__isnull=False, demand__isnull=True)
                    | models.Q(kind="demand", case__isnull=True, task__isnull=True, demand__isnull=False)
                ),
                name="deliberation_item_binds_one_work",
            )
        ]
        indexes = [models.Index(fields=["escalated_at", "due_at"], name="deliberation_item_due")]

    def __str__(self) -> str:
        return self.title


class VillageMatter(models.Model):
    """A village matter decided through 四议两公开 (``state``: the last recorded step, see core/procedure.py)."""

    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=4000, blank=True, default="")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("village"))
    state = models.CharField(_("state"), max_length=20, blank=True, default="")
    resolution = models.ForeignKey(Resolution, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


STEP_CHOICES = [(step.value, step.zh) for step in Step]


class VillageStep(models.Model):
    """One recorded step of a village matter: its date, who took part (a count and the bodies; names for
    staff only), what was said or decided."""

    matter = models.ForeignKey(VillageMatter, on_delete=models.PROTECT, related_name="steps")
    step = models.CharField(max_length=20, choices=STEP_CHOICES)
    held_on = models.DateField(_("date"))
    participants = models.TextField(_("participants"), max_length=4000)
    participant_count = models.PositiveIntegerField(_("number of participants"))
    content = models.TextField(_("content"), max_length=8000)
    is_rejection = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["matter", "step"], name="deliberation_unique_step")]

    def __str__(self) -> str:
        return f"{self.matter_id}:{self.step}"


class ResidentVerification(models.Model):
    """A staff member's check that a person lives in a community or village (eligibility to vote there)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "region"], name="deliberation_unique_verification")]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.region_id}"


class HouseholdRegister(models.Model):
    """One import of a community's or village's household register (户籍名册): who imported it, when, from which file
    and how many people it lists. Its entries are written in short batches while it is not yet ``in_force``; one short
    transaction then puts it in force in place of the previous one, whose entries are removed (its row stays as
    history with its counts). At most one register of a region is in force."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField()
    file_name = models.CharField(max_length=120)
    people = models.PositiveIntegerField()
    in_force = models.BooleanField(default=False)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["region"], condition=models.Q(in_force=True), name="deliberation_one_register_in_force"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id}@{self.imported_at:%Y-%m-%d}"


class HouseholdRegisterEntry(models.Model):
    """One person of a register: only a keyed digest of the resident ID number (``core.register.id_digest`` under a
    key derived from the site's secret key), never the number, the name or any other column."""

    register = models.ForeignKey(HouseholdRegister, on_delete=models.CASCADE, related_name="entries")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    digest = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["register", "digest"], name="deliberation_unique_register_entry")
        ]
        indexes = [models.Index(fields=["region", "digest"], name="deliberation_register_lookup")]

    def __str__(self) -> str:
        return f"{self.region_id}:{self.digest[:8]}"


class Comment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class Vote(models.Model):
    """Support for a proposal by an eligible resident; ``assistant`` names the grid worker who recorded an
    elder's view on their behalf (counted separately)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assistant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "voter"], name="deliberation_unique_vote")]

    def __str__(self) -> str:
        return f"{self.proposal_id}:{self.voter_id}"


class View(models.Model):
    """A resident's view on a topic; ``assistant`` names the grid worker who recorded it on an elder's behalf."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="views")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assistant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("view"), max_length=2000)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]
