"""Build the realistic demo: a real urban district and a real rural county from the official codes,
generated grids (marked as such), the usual units, staff with capacities, and one login per role."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext

from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.audit.services import ObjectRef, audit_record
from fuhe.demo.names import PersonFactory
from fuhe.org.core.divisions import Level, Selection, grid_key, parse_directory
from fuhe.org.models import DepartmentType, PartyLevel, Region, RegionKind, Unit, UnitKind
from fuhe.org.services import district_geometry_build, regions_import

URBAN_DISTRICT = "120101"  # 天津市和平区: 6 streets, 64 communities
RURAL_COUNTY = "120119"  # 天津市蓟州区: 28 towns/streets, 983 villages/communities
DEMO_DISTRICTS = (URBAN_DISTRICT, RURAL_COUNTY)

DEPARTMENTS = [
    (DepartmentType.URBAN_MANAGEMENT, "城市管理委员会"),
    (DepartmentType.HOUSING, "住房和建设委员会"),
    (DepartmentType.ECOLOGY, "生态环境局"),
    (DepartmentType.TRANSPORT, "交通运输局"),
    (DepartmentType.EDUCATION, "教育局"),
    (DepartmentType.HUMAN_RESOURCES, "人力资源和社会保障局"),
    (DepartmentType.HEALTH, "卫生健康委员会"),
    (DepartmentType.MARKET_REGULATION, "市场监督管理局"),
    (DepartmentType.CIVIL_AFFAIRS, "民政局"),
    (DepartmentType.PUBLIC_SECURITY, "公安分局"),
    (DepartmentType.WATER, "水务局"),
    (DepartmentType.EMERGENCY, "应急管理局"),
    (DepartmentType.CULTURE_TOURISM, "文化和旅游局"),
    (DepartmentType.AGRICULTURE, "农业农村委员会"),
    (DepartmentType.BURDEN_OFFICE, "基层减负办公室"),
]


@dataclass
class DemoLogin:
    username: str
    role: str
    where: str


@dataclass
class DemoResult:
    regions: int = 0
    grids: int = 0
    units: int = 0
    people: int = 0
    logins: list[DemoLogin] = field(default_factory=list)


def _short(name: str) -> str:
    for suffix in ("社区居委会", "居委会", "村委会", "委会"):
        if name.endswith(suffix):
            return name.removesuffix(suffix) + ("社区" if "居" in suffix else "村" if "村" in suffix else "")
    return name


class DemoBuilder:
    def __init__(
        self, *, divisions_dir: Path, password: str, seed: int = 2026, progress: Callable[[str], None] | None = None
    ):
        self.divisions_dir = divisions_dir
        self.password_hash = make_password(password)
        self.random = random.Random(seed)
        self.people = PersonFactory(seed)
        self.progress = progress or (lambda message: None)
        self.result = DemoResult()
        self._users: list[User] = []
        self._roles: list[tuple[int, str, Unit | None, int]] = []  # (user index, role, unit, region id)

    # --- regions -------------------------------------------------------------------------------
    def import_regions(self) -> None:
        parsed = parse_directory(self.divisions_dir, Selection(DEMO_DISTRICTS))
        regions_import(actor=None, rows=parsed.rows, source="demo")
        self.result.regions = len(parsed.rows)
        self.progress(gettext("regions: %(count)s imported from the official codes") % {"count": len(parsed.rows)})

    def generate_grids(self) -> None:
        grids = []
        for community in Region.objects.filter(level=Level.COMMUNITY).order_by("id"):
            count = random.Random(community.id).randint(3, 8)
            base = _short(community.name)
            for n in range(1, count + 1):
                key = grid_key(community.id, n)
                grids.append(
                    Region(
                        id=key,
                        code=str(key),
                        name=f"{base}第{n}网格",
                        level=Level.GRID,
                        parent_id=community.id,
                        kind=community.kind,
                        is_generated=True,
                    )
                )
        Region.objects.bulk_create(grids, ignore_conflicts=True, batch_size=2000)
        self.result.grids = len(grids)
        self.progress(
            gettext("grids: %(count)s generated (3–8 per community, marked as generated)") % {"count": len(grids)}
        )

    # --- units ---------------------------------------------------------------------------------
    def _unit(self, **fields) -> Unit:
        unit = Unit.objects.create(**fields)
        self.result.units += 1
        return unit

    def build_units(self) -> dict[str, dict]:
        plan: dict[str, dict] = {}
        for district in Region.objects.filter(level=Level.DISTRICT).order_by("id"):
            entry: dict = {"district": district, "departments": {}, "streets": []}
            entry["government"] = self._unit(
                name=f"{district.name}人民政府", kind=UnitKind.DISTRICT_GOVERNMENT, region=district
            )
            entry["party"] = self._unit(
                name=f"中共{district.name}委员会",
                kind=UnitKind.PARTY_ORG,
                party_level=PartyLevel.COMMITTEE,
                region=district,
            )
            for department_type, suffix in DEPARTMENTS:
                entry["departments"][department_type] = self._unit(
                    name=f"{district.name}{suffix}",
                    kind=UnitKind.DEPARTMENT,
                    department_type=department_type,
                    region=district,
                    parent=entry["government"],
                )
            for street in Region.objects.filter(parent=district).order_by("id"):
                entry["streets"].append(self._build_street(street, entry))
            plan[district.code[:6]] = entry
        self.progress(
            gettext(
                "units: %(count)s (governments, departments, offices, committees, party organisations, social "
                "organisations, property companies, volunteer teams)"
            )
            % {"count": self.result.units}
        )
        return plan

    def _build_street(self, street: Region, district_entry: dict) -> dict:
        is_township = street.name.endswith(("镇", "乡"))
        office = self._unit(
            name=f"{street.name}{'人民政府' if is_township else '办事处'}",
            kind=UnitKind.TOWNSHIP_GOVERNMENT if is_township else UnitKind.STREET_OFFICE,
            region=street,
            parent=district_entry["government"],
        )
        party = self._unit(
            name=f"中共{street.name}{'委员会' if is_township else '工作委员会'}",
            kind=UnitKind.PARTY_ORG,
            region=street,
            parent=district_entry["party"],
            party_level=PartyLevel.COMMITTEE if is_township else PartyLevel.WORKING_COMMITTEE,
        )
        social = self._unit(name=f"{street.name}社区社会组织联合会", kind=UnitKind.SOCIAL_ORG, region=street)
        volunteers = self._unit(
            name=f"{street.name}新时代文明实践志愿服务队", kind=UnitKind.VOLUNTEER_TEAM, region=street
        )
        communities = []
        covered = [office, social, volunteers]
        for index, community in enumerate(Region.objects.filter(parent=street).order_by("id")):
            is_urban = community.kind == RegionKind.URBAN
            committee = self._unit(
                name=community.name,
                kind=UnitKind.RESIDENTS_COMMITTEE if is_urban else UnitKind.VILLAGE_COMMITTEE,
                region=community,
                parent=office,
            )
            branch = self._unit(
                name=f"中共{_short(community.name)}{'委员会' if is_urban else '支部委员会'}",
                kind=UnitKind.PARTY_ORG,
                region=community,
                parent=party,
                party_level=PartyLevel.COMMITTEE if is_urban else PartyLevel.BRANCH,
            )
            members = [committee]
            if is_urban and index % 3 == 0:
                members.append(
                    self._unit(
                        name=f"{_short(community.name)}物业服务有限公司",
                        kind=UnitKind.PROPERTY_COMPANY,
                        region=community,
                    )
                )
            if not is_urban and index % 7 == 0:
                members.append(
                    self._unit(
                        name=f"{_short(community.name)}农民专业合作社", kind=UnitKind.ENTERPRISE, region=community
                    )
                )
            branch.covers.set(members)
            covered.append(committee)
            communities.append({"region": community, "committee": committee, "branch": branch})
        party.covers.set(covered)
        return {
            "region": street,
            "office": office,
            "party": party,
            "volunteers": volunteers,
            "communities": communities,
        }

    # --- people --------------------------------------------------------------------------------
    def _person(
        self, *, role: str, region: Region, unit: Unit | None, hours: int | None, username: str | None = None
    ) -> int:
        name = self.people.name()
        index = len(self._users)
        self._users.append(
            User(
                username=username or f"u{index + 1:06d}",
                display_name=name,
                password=self.password_hash,
                phone=self.people.phone(),
                id_number=self.people.id_number(region.code),
                address=f"{region.name}{self.random.randint(1, 60)}号楼{self.random.randint(1, 6)}门",
                weekly_capacity_hours=Decimal(hours) if hours else None,
                is_active=True,
            )
        )
        self._roles.append((index, role, unit, region.id))
        if username:
            self.result.logins.append(DemoLogin(username, role, f"{unit.name if unit else region.name}"))
        return index

    def build_people(self, plan: dict[str, dict]) -> None:
        for district_code, entry in plan.items():
            prefix = "hp" if district_code == URBAN_DISTRICT else "jz"
            district = entry["district"]
            self._person(
                role=Role.LEADER, region=district, unit=entry["government"], hours=44, username=f"{prefix}-leader"
            )
            self._person(
                role=Role.SUPERVISOR,
                region=district,
                unit=entry["departments"][DepartmentType.BURDEN_OFFICE],
                hours=40,
                username=f"{prefix}-supervisor",
            )
            for department_type, department in entry["departments"].items():
                for n in range(2):
                    login = (
                        f"{prefix}-{department_type.replace('_', '-')}"
                        if n == 0 and department_type in {DepartmentType.URBAN_MANAGEMENT, DepartmentType.HOUSING}
                        else None
                    )
                    self._person(
                        role=Role.DEPARTMENT_HANDLER, region=district, unit=department, hours=40, username=login
                    )
            # demo logins sit in the first community of the urban district and the first village of the county
            wanted_kind = RegionKind.URBAN if district_code == URBAN_DISTRICT else RegionKind.RURAL
            login_community = next(
                c["region"].id
                for street in entry["streets"]
                for c in street["communities"]
                if c["region"].kind == wanted_kind
            )
            for street in entry["streets"]:
                is_login_street = any(c["region"].id == login_community for c in street["communities"])
                self._person(role=Role.LEADER, region=street["region"], unit=street["office"], hours=44)
                for n in range(2):
                    self._person(
                        role=Role.STREET_DISPATCHER,
                        region=street["region"],
                        unit=street["office"],
                        hours=40,
                        username=f"{prefix}-dispatcher" if is_login_street and n == 0 else None,
                    )
                for community in street["communities"]:
                    self._community_people(prefix, street, community, community["region"].id == login_community)
        self._person(
            role=Role.ADMINISTRATOR,
            region=Region.objects.get(code="120000000000"),
            unit=None,
            hours=40,
            username="demo-admin",
        )

    def _community_people(self, prefix: str, street: dict, community: dict, with_logins: bool) -> None:
        region, committee = community["region"], community["committee"]
        is_urban = region.kind == RegionKind.URBAN
        for n in range(3 if is_urban else 2):
            self._person(
                role=Role.COMMUNITY_WORKER,
                region=region,
                unit=committee,
                hours=40,
                username=f"{prefix}-community" if with_logins and n == 0 else None,
            )
        grids = list(Region.objects.filter(parent=region).order_by("id"))
        for g_index, grid in enumerate(grids):
            # rural grid workers are often part-time villagers
            self._person(
                role=Role.GRID_WORKER,
                region=grid,
                unit=committee,
                hours=40 if is_urban else 20,
                username=f"{prefix}-grid" if with_logins and g_index == 0 else None,
            )
        if with_logins:
            self._person(
                role=Role.VOLUNTEER,
                region=region,
                unit=street["volunteers"],
                hours=None,
                username=f"{prefix}-volunteer",
            )
            self._person(role=Role.RESIDENT, region=region, unit=None, hours=None, username=f"{prefix}-resident")

    def save_people(self) -> None:
        User.objects.bulk_create(self._users, batch_size=1000)
        saved = dict(User.objects.filter(username__in=[u.username for u in self._users]).values_list("username", "id"))
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(user_id=saved[self._users[index].username], role=role, unit=unit, region_id=region_id)
                for index, role, unit, region_id in self._roles
            ],
            batch_size=2000,
        )
        admin = User.objects.get(username="demo-admin")
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
        self.result.people = len(self._users)
        self.progress(gettext("people: %(count)s with roles and weekly capacities") % {"count": len(self._users)})


def demo_build(*, divisions_dir: Path, password: str, progress: Callable[[str], None] | None = None) -> DemoResult:
    """Build the whole demo in one transaction (nothing is left half-built if it fails)."""
    builder = DemoBuilder(divisions_dir=divisions_dir, password=password, progress=progress)
    with transaction.atomic():
        builder.import_regions()
        builder.generate_grids()
        for code in DEMO_DISTRICTS:  # official district boundaries, generated cells for streets, communities, grids
            district_geometry_build(actor=None, region=Region.objects.get(code=code.ljust(12, "0")))
        plan = builder.build_units()
        builder.build_people(plan)
        builder.save_people()
        audit_record(
            actor=None,
            action="demo.built",
            target=ObjectRef("demo", "tianjin"),
            summary={
                "regions": builder.result.regions,
                "grids": builder.result.grids,
                "units": builder.result.units,
                "people": builder.result.people,
            },
        )
    return builder.result


def demo_exists() -> bool:
    return User.objects.filter(username="demo-admin").exists()
