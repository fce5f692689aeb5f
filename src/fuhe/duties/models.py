"""The duty list (权责清单) as versioned data: who leads and who assists on each matter, with its basis.

A ``DutyList`` covers a region (a city, or a district that overrides it) and lives through draft → active →
retired. Only drafts are edited; activating a draft retires the list it replaces (``effective_to``). Items of
retired lists are kept, so a case routed under an old version keeps pointing at what it was routed by.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fuhe.org.models import DepartmentType, Region, UnitKind


class ListStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    ACTIVE = "active", _("active")
    RETIRED = "retired", _("retired")


class OwnerLevel(models.TextChoices):
    DISTRICT = "district", _("district department")
    STREET = "street", _("street/township")
    COMMUNITY = "community", _("community/village")


class Admission(models.TextChoices):
    """The community admission list (社区工作事项准入): owned, assisting, or excluded (禁入)."""

    OWNED = "owned", _("community's own duty (依法履职)")
    ASSISTS = "assists", _("community assists (协助政府)")
    EXCLUDED = "excluded", _("excluded from the community (禁入)")
    NONE = "none", _("not a community matter")


class DutyList(models.Model):
    name = models.CharField(_("name"), max_length=120)
    version = models.PositiveIntegerField(_("version"))
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="duty_lists",
        verbose_name=_("region"),
        help_text=_("The list applies in this region's subtree (a district list overrides its city's)."),
    )
    status = models.CharField(_("status"), max_length=8, choices=ListStatus.choices, default=ListStatus.DRAFT)
    effective_from = models.DateTimeField(_("effective from"), null=True, blank=True)
    effective_to = models.DateTimeField(_("effective to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True, default="")
    note = models.TextField(_("note"), blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["region_id", "-version"]
        verbose_name = _("duty list")
        verbose_name_plural = _("duty lists")
        constraints = [
            models.UniqueConstraint(fields=["region", "version"], name="unique_duty_list_version"),
            models.UniqueConstraint(
                fields=["region"], condition=models.Q(status="active"), name="one_active_duty_list_per_region"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status == ListStatus.DRAFT


class DutyItem(models.Model):
    duty_list = models.ForeignKey(DutyList, on_delete=models.CASCADE, related_name="items", verbose_name=_("duty list"))
    code = models.CharField(_("code"), max_length=20, help_text=_("Stable across versions of the list."))
    matter = models.CharField(_("matter (事项)"), max_length=200)
    category = models.ForeignKey(
        "cases.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duty_items",
        verbose_name=_("category"),
    )
    owner_level = models.CharField(
        _("owning level"),
        max_length=10,
        choices=OwnerLevel.choices,
        blank=True,
        default="",
        help_text=_("Empty: no lead assigned yet (a gap)."),
    )
    lead_unit_kind = models.CharField(
        _("lead unit kind"), max_length=24, choices=UnitKind.choices, blank=True, default=""
    )
    lead_department_type = models.CharField(
        _("lead department"), max_length=24, choices=DepartmentType.choices, blank=True, default=""
    )
    assisting_department_types = models.JSONField(_("assisting departments"), default=list, blank=True)
    basis = models.TextField(_("legal or policy basis"), blank=True, default="")
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    examples = models.JSONField(
        _("typical cases"),
        default=list,
        blank=True,
        help_text=_("Resident messages that belong to this item (the 12345 knowledge base): what routing learns from."),
    )
    admission = models.CharField(
        _("community admission"), max_length=10, choices=Admission.choices, default=Admission.NONE
    )
    note = models.CharField(_("note"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["duty_list_id", "code"]
        verbose_name = _("duty item")
        verbose_name_plural = _("duty items")
        constraints = [models.UniqueConstraint(fields=["duty_list", "code"], name="unique_duty_item_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.matter}"

    @property
    def owner_key(self) -> str:
        return owner_key(self.owner_level, self.lead_unit_kind, self.lead_department_type)

    @property
    def has_lead(self) -> bool:
        return bool(self.owner_key)

    def lead_label(self) -> str:
        if self.owner_level == OwnerLevel.DISTRICT:
            if self.lead_department_type:
                return str(DepartmentType(self.lead_department_type).label)
            if self.lead_unit_kind:
                return str(UnitKind(self.lead_unit_kind).label)
            return ""
        return str(OwnerLevel(self.owner_level).label) if self.owner_level else ""

    def assisting_labels(self) -> list[str]:
        labels = dict(DepartmentType.choices)
        return [str(labels.get(value, value)) for value in self.assisting_department_types]


def owner_key(owner_level: str, lead_unit_kind: str = "", lead_department_type: str = "") -> str:
    """One string naming *what kind* of unit owns a matter: ``department:housing``, ``street``, ``community``."""
    if owner_level == OwnerLevel.DISTRICT:
        if lead_department_type:
            return f"department:{lead_department_type}"
        if lead_unit_kind == UnitKind.DISTRICT_GOVERNMENT:
            return "district_government"
        return ""
    return owner_level or ""


def owner_key_of_unit(unit) -> str:
    if unit is None:
        return ""
    if unit.kind == UnitKind.DEPARTMENT:
        return f"department:{unit.department_type}"
    if unit.kind in (UnitKind.STREET_OFFICE, UnitKind.TOWNSHIP_GOVERNMENT):
        return "street"
    if unit.kind in (UnitKind.RESIDENTS_COMMITTEE, UnitKind.VILLAGE_COMMITTEE):
        return "community"
    return unit.kind
