"""The administrative tree (Region) and the acting bodies anchored to it (Unit)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fuhe.org.core.divisions import Kind, Level, subtree_range


class RegionLevel(models.TextChoices):
    PROVINCE = Level.PROVINCE, _("province")
    CITY = Level.CITY, _("city")
    DISTRICT = Level.DISTRICT, _("district/county")
    STREET = Level.STREET, _("street/township")
    COMMUNITY = Level.COMMUNITY, _("community/village")
    GRID = Level.GRID, _("grid")


class RegionKind(models.TextChoices):
    URBAN = Kind.URBAN, _("urban")
    RURAL = Kind.RURAL, _("rural")
    UNKNOWN = Kind.UNKNOWN, _("unknown")


class Region(models.Model):
    """A node of the administrative tree. ``id`` is the 15-digit division key (see core.divisions)."""

    id = models.BigIntegerField(primary_key=True)
    code = models.CharField(_("division code"), max_length=15, unique=True)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    level = models.CharField(_("level"), max_length=12, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
        db_constraint=True,
    )
    kind = models.CharField(_("urban/rural kind"), max_length=8, choices=RegionKind.choices, default=RegionKind.UNKNOWN)
    urban_rural_code = models.PositiveSmallIntegerField(_("urban-rural class code"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    geometry = models.JSONField(_("GeoJSON geometry"), null=True, blank=True)
    is_generated = models.BooleanField(
        _("generated"), default=False, help_text=_("Not from official data (e.g. demo grids).")
    )
    geometry_generated = models.BooleanField(
        _("generated boundary"),
        default=False,
        db_default=False,  # rows written by the import's plain SQL get it too
        help_text=_("The boundary is a generated cell inside the parent's, not an official boundary."),
    )
    geometry_source = models.CharField(_("boundary source"), max_length=120, blank=True, default="", db_default="")

    class Meta:
        ordering = ["id"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def level_enum(self) -> Level:
        return Level(self.level)

    @property
    def subtree(self) -> tuple[int, int]:
        return subtree_range(self.id, self.level_enum)

    def contains(self, other_id: int) -> bool:
        low, high = self.subtree
        return low <= other_id < high


class UnitKind(models.TextChoices):
    STREET_OFFICE = "street_office", _("street office")
    TOWNSHIP_GOVERNMENT = "township_government", _("township government")
    RESIDENTS_COMMITTEE = "residents_committee", _("residents' committee")
    VILLAGE_COMMITTEE = "village_committee", _("village committee")
    DEPARTMENT = "department", _("functional department")
    PARTY_ORG = "party_org", _("party organisation")
    SOCIAL_ORG = "social_org", _("social organisation")
    PROPERTY_COMPANY = "property_company", _("property company")
    ENTERPRISE = "enterprise", _("enterprise")
    VOLUNTEER_TEAM = "volunteer_team", _("volunteer team")
    DISTRICT_GOVERNMENT = "district_government", _("district/county government")


#: the grassroots units: residents'/village committees and street offices/township governments
COMMITTEE_KINDS = (UnitKind.RESIDENTS_COMMITTEE, UnitKind.VILLAGE_COMMITTEE)
STREET_KINDS = (UnitKind.STREET_OFFICE, UnitKind.TOWNSHIP_GOVERNMENT)


class DepartmentType(models.TextChoices):
    URBAN_MANAGEMENT = "urban_management", _("urban management (城管)")
    HOUSING = "housing", _("housing and construction (住建)")
    ECOLOGY = "ecology", _("ecology and environment (生态环境)")
    TRANSPORT = "transport", _("transport (交通)")
    EDUCATION = "education", _("education (教育)")
    HUMAN_RESOURCES = "human_resources", _("human resources and social security (人社)")
    HEALTH = "health", _("health (卫健)")
    MARKET_REGULATION = "market_regulation", _("market regulation (市场监管)")
    CIVIL_AFFAIRS = "civil_affairs", _("civil affairs (民政)")
    PUBLIC_SECURITY = "public_security", _("public security (公安)")
    WATER = "water", _("water affairs (水务)")
    EMERGENCY = "emergency", _("emergency management (应急管理)")
    CULTURE_TOURISM = "culture_tourism", _("culture and tourism (文旅)")
    AGRICULTURE = "agriculture", _("agriculture and rural affairs (农业农村)")
    BURDEN_OFFICE = "burden_office", _("burden-reduction office (减负办)")


class PartyLevel(models.TextChoices):
    COMMITTEE = "committee", _("party committee (党委)")
    WORKING_COMMITTEE = "working_committee", _("party working committee (党工委)")
    GENERAL_BRANCH = "general_branch", _("general branch (党总支)")
    BRANCH = "branch", _("party branch (党支部)")


class Unit(models.Model):
    """An acting body anchored to a region: office, committee, department, party organisation …"""

    name = models.CharField(_("name"), max_length=120, db_index=True)
    kind = models.CharField(_("kind"), max_length=24, choices=UnitKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="units", verbose_name=_("region"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="subunits", verbose_name=_("parent unit")
    )
    department_type = models.CharField(
        _("department type"), max_length=24, choices=DepartmentType.choices, blank=True, default=""
    )
    party_level = models.CharField(
        _("party organisation level"), max_length=20, choices=PartyLevel.choices, blank=True, default=""
    )
    covers = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="covered_by",
        verbose_name=_("units covered (regional party building)"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["region_id", "kind", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        indexes = [models.Index(fields=["region", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="department") | ~models.Q(department_type=""),
                name="department_has_type",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Place(models.Model):
    """A named place of the district's gazetteer (地名库): a housing estate, a school, a market … anchored to the
    region that holds it, so that an address naming it is placed there."""

    name = models.CharField(_("name"), max_length=100, db_index=True)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="places", verbose_name=_("region"))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="place_name_unique_in_region")]

    def __str__(self) -> str:
        return self.name
