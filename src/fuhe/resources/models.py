"""Resource cloud dispatch (资源云调度): the registry of every owner's resources, the demands, the matches the
engine proposes and the delivery loop's timeline. Written only by ``fuhe.resources.services``; the engine is in
``core/`` (docs/resources-matching.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fuhe.audit.core.masking import mask_phone
from fuhe.cases.models import Case
from fuhe.org.models import Region, Unit


class ResourceKind(models.TextChoices):
    SPACE = "space", _("space or room")
    VEHICLE = "vehicle", _("vehicle")
    EQUIPMENT = "equipment", _("equipment")
    STOCKPILE = "stockpile", _("stockpile item")
    FUND = "fund", _("fund or grant line")
    SERVICE = "service", _("professional service")
    VOLUNTEER_SKILL = "volunteer_skill", _("volunteer skill")


class DemandPriority(models.IntegerChoices):
    """Most urgent first; the values are the engine's ``Priority``."""

    EMERGENCY = 0, _("emergency")
    BASIC_LIVELIHOOD = 1, _("basic livelihood")
    IMPROVEMENT = 2, _("improvement")


class DemandSource(models.TextChoices):
    CASE = "case", _("case")
    RESOLUTION = "resolution", _("deliberation resolution")
    EMERGENCY = "emergency", _("emergency")
    PLAN = "plan", _("plan")


class DemandState(models.TextChoices):
    OPEN = "open", pgettext_lazy("demand state", "open")
    CLOSED = "closed", pgettext_lazy("demand state", "closed")
    CANCELLED = "cancelled", pgettext_lazy("demand state", "cancelled")


class MatchState(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    OFFERED = "offered", _("offered")
    ACCEPTED = "accepted", pgettext_lazy("match state", "accepted")
    DECLINED = "declined", _("declined")
    DELIVERED = "delivered", _("delivered")
    CONFIRMED = "confirmed", _("confirmed")
    EXPIRED = "expired", _("expired")
    WITHDRAWN = "withdrawn", _("withdrawn")


# A match in these states holds units of its resource (a proposal holds nothing: humans confirm first).
HOLDING_STATES = (MatchState.OFFERED, MatchState.ACCEPTED)
# A match in these states serves its demand (counted against the demand's quantity).
SERVING_STATES = (MatchState.OFFERED, MatchState.ACCEPTED, MatchState.DELIVERED, MatchState.CONFIRMED)


class Resource(models.Model):
    """One owner's resource: a room, a vehicle, a stockpile item, a fund line, a service, a volunteer skill."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=ResourceKind.choices)
    owner = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="resources", verbose_name=_("owner"))
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="resources", verbose_name=_("region"), db_index=False
    )
    skills = models.JSONField(_("skills"), default=list, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"))
    unit_label = models.CharField(_("unit"), max_length=20, blank=True, default="")
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    allowed_region_ids = models.JSONField(_("allowed regions"), default=list, blank=True)  # empty: any region
    allowed_priorities = models.JSONField(_("allowed priority classes"), default=list, blank=True)  # empty: any
    preferred_region_ids = models.JSONField(_("preferred regions"), default=list, blank=True)
    unit_cost = models.DecimalField(_("cost per unit (yuan)"), max_digits=12, decimal_places=2, default=0)
    service_radius_km = models.FloatField(_("service radius (km)"), null=True, blank=True)
    conditions = models.TextField(_("conditions of use"), blank=True, default="")
    contact_name = models.CharField(_("contact"), max_length=60, blank=True, default="")
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    confirmed_at = models.DateTimeField(_("confirmed at"))
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        indexes = [models.Index(fields=["region", "kind"], name="resources_region_kind")]

    def __str__(self) -> str:
        return self.name

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)


class AvailabilityWindow(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="windows")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} – {self.ends_at:%Y-%m-%d %H:%M}"


class DemandGroup(models.Model):
    """Demands about one place (many calls about one building), matched and followed together."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    label = models.CharField(_("place"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("created at"))

    def __str__(self) -> str:
        return self.label or str(self.pk)


class Demand(models.Model):
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source"), max_length=12, choices=DemandSource.choices)
    source_reference = models.CharField(_("source reference"), max_length=120, blank=True, default="")
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="resource_demands", verbose_name=_("case")
    )
    priority = models.PositiveSmallIntegerField(_("priority"), choices=DemandPriority.choices)
    kind = models.CharField(_("required kind"), max_length=16, choices=ResourceKind.choices)
    skill = models.CharField(_("required skill"), max_length=60, blank=True, default="")
    quantity = models.PositiveIntegerField(_("quantity"))
    window_start = models.DateTimeField(_("needed from"))
    window_end = models.DateTimeField(_("needed until"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=0)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    place_label = models.CharField(_("place"), max_length=200, blank=True, default="")
    group = models.ForeignKey(
        DemandGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="demands", verbose_name=_("group")
    )
    requester = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="resource_demands", verbose_name=_("requesting unit")
    )
    state = models.CharField(_("state"), max_length=10, choices=DemandState.choices, default=DemandState.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        indexes = [models.Index(fields=["region", "state"], name="resources_demand_region_state")]

    def __str__(self) -> str:
        return self.title


class MatchingRun(models.Model):
    """One solve over a region: the optimum's cost, first-come-first-served's cost and the shortfalls explained."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    cost = models.JSONField(default=dict)
    fcfs_cost = models.JSONField(default=dict)
    shortfalls = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"{self.region_id} {self.created_at:%Y-%m-%d %H:%M}"


class Match(models.Model):
    run = models.ForeignKey(MatchingRun, null=True, on_delete=models.SET_NULL, related_name="matches")
    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="matches")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="matches")
    quantity = models.PositiveIntegerField(_("quantity"))
    state = models.CharField(_("state"), max_length=10, choices=MatchState.choices, default=MatchState.PROPOSED)
    cost_terms = models.JSONField(default=dict)  # travel, funds, preference, distance_km (engine's Arc)
    explanation = models.JSONField(default=dict)  # rank, candidates, next best and its extra cost
    created_at = models.DateTimeField()
    offered_at = models.DateTimeField(null=True, blank=True)
    reserved_until = models.DateTimeField(_("reserved until"), null=True, blank=True)
    delivery_due = models.DateTimeField(_("delivery due"), null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True, default="")
    # the pairing whose shares made this resource a candidate (a flow across the pairing), if any
    pairing = models.ForeignKey(
        "Pairing", null=True, blank=True, on_delete=models.PROTECT, related_name="matches", verbose_name=_("pairing")
    )
    # the emergency period under which this match was proposed or offered (pre-emption), if any
    emergency = models.ForeignKey(
        "EmergencyPeriod",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matches",
        verbose_name=_("emergency"),
    )

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        indexes = [
            models.Index(fields=["state", "reserved_until"], name="resources_match_expiry"),
            models.Index(fields=["resource", "state"], name="resources_match_resource"),
        ]

    def __str__(self) -> str:
        return f"{self.demand_id} ← {self.resource_id} × {self.quantity}"


class MatchEvent(models.Model):
    """The append-only timeline of a match: every step of the delivery loop, with its actor."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=16)
    from_state = models.CharField(max_length=10, blank=True, default="")
    to_state = models.CharField(max_length=10)
    reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.match_id} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("match events are append-only")
        super().save(*args, **kwargs)


# --- urban–rural pairing (城乡结对) and emergency mode (issue 16, items 7 and 8) -------------------------------------


class PairingShare(models.TextChoices):
    """What one side of a pairing opens to the other. The street's side: its resource pool (every resource its
    units own) or only its volunteer teams' skills; the township's side: its spaces (school buildings, collective
    rooms: resources of kind space owned in the township)."""

    STREET_POOL = "street_pool", _("the street's resource pool")
    STREET_VOLUNTEER_SKILLS = "street_volunteer_skills", _("the street's volunteer teams' skills")
    TOWNSHIP_SPACES = "township_spaces", _("the township's spaces")


class PairingState(models.TextChoices):
    ACTIVE = "active", _("active")
    ENDED = "ended", _("ended")


class Pairing(models.Model):
    """A pairing between an urban street and a rural township: while active (and between its dates), the chosen
    shares of each side count as candidates for the other side's demands. Written only by
    ``services/pairing.py``."""

    street = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("urban street"))
    township = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("rural township"))
    purpose = models.TextField(_("purpose"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    shares = models.JSONField(_("shares"), default=list)  # PairingShare values
    state = models.CharField(_("state"), max_length=8, choices=PairingState.choices, default=PairingState.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.TextField(_("reason for ending"), blank=True, default="")

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        indexes = [models.Index(fields=["state", "township"], name="resources_pairing_township")]

    def __str__(self) -> str:
        return f"{self.street_id} ⇄ {self.township_id}"


class EmergencyKind(models.TextChoices):
    FLOOD = "flood", _("flood")
    FIRE = "fire", _("fire")
    EPIDEMIC = "epidemic", _("epidemic")
    EARTHQUAKE = "earthquake", _("earthquake")
    STORM = "storm", _("storm or blizzard")
    ACCIDENT = "accident", _("accident or disaster")
    OTHER = "other", _("other")


class EmergencyPeriod(models.Model):
    """A region in emergency mode, from its switch-on (reason, kind) to its switch-off (summary). One open period
    per region. Written only by ``services/emergency.py``."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    kind = models.CharField(_("kind of emergency"), max_length=12, choices=EmergencyKind.choices)
    reason = models.TextField(_("reason"))
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("started at"))
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True, default="")

    class Meta:
        verbose_name = _("emergency period")
        verbose_name_plural = _("emergency periods")
        constraints = [
            models.UniqueConstraint(
                fields=["region"], condition=models.Q(ended_at__isnull=True), name="resources_one_open_emergency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.kind} {self.started_at:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None
