"""People (users) and the roles they hold in units and regions."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuhe.org.models import Region, Unit

phone_validator = RegexValidator(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$", _("Enter a mobile or landline number."))
id_number_validator = RegexValidator(r"^\d{17}[\dXx]$", _("Enter an 18-character resident ID number."))


class Role(models.TextChoices):
    RESIDENT = "resident", _("resident")
    GRID_WORKER = "grid_worker", _("grid worker")
    COMMUNITY_WORKER = "community_worker", _("community worker")
    STREET_DISPATCHER = "street_dispatcher", _("street dispatcher")
    DEPARTMENT_HANDLER = "department_handler", _("department handler")
    LEADER = "leader", _("leader")
    SUPERVISOR = "supervisor", _("supervisor/auditor")
    VOLUNTEER = "volunteer", _("volunteer")
    ADMINISTRATOR = "administrator", _("administrator")


STAFF_ROLES = frozenset(
    {
        Role.GRID_WORKER,
        Role.COMMUNITY_WORKER,
        Role.STREET_DISPATCHER,
        Role.DEPARTMENT_HANDLER,
        Role.LEADER,
        Role.SUPERVISOR,
        Role.ADMINISTRATOR,
    }
)


class User(AbstractUser):
    """A person who signs in: resident, staff member or volunteer. Personal data is masked when shown."""

    display_name = models.CharField(_("name"), max_length=60, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=20, blank=True, default="", validators=[phone_validator])
    id_number = models.CharField(
        _("ID number"), max_length=18, blank=True, default="", validators=[id_number_validator]
    )
    address = models.CharField(_("address"), max_length=200, blank=True, default="")
    weekly_capacity_hours = models.DecimalField(
        _("weekly capacity (hours)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("80"))],
        help_text=_("Working hours a week this staff member can give; load is metered against it."),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleAssignment(models.Model):
    """A role held by a person in a unit, scoped to a region (by default the unit's region)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="members", verbose_name=_("unit")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="role_assignments", verbose_name=_("region")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "role", "unit", "region"], name="unique_role")]
        indexes = [models.Index(fields=["role", "region"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.region.name}"
