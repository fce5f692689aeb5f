"""Shared fixtures: a small real-shaped org tree with one person per role."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core.cache import caches
from hypothesis import settings as hypothesis_settings

from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.org.core.divisions import Level, grid_key, key_from_code
from fuhe.org.models import DepartmentType, Region, RegionKind, Unit, UnitKind

# No per-example deadline: the machine is shared and its speed drifts (performance lives in bench/, not in tests);
# a test that needs fewer or more examples says so itself
hypothesis_settings.register_profile("fuhe", deadline=None)
hypothesis_settings.load_profile("fuhe")

PASSWORD = "correct-horse-battery-9"


def pytest_collection_modifyitems(config, items):
    """Property tests (hypothesis) are marked ``fuzz``: `make test-fast` leaves them to `make test`."""
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.fuzz)


@dataclass
class Tree:
    regions: dict[str, Region] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    people: dict[str, User] = field(default_factory=dict)


def _region(tree: Tree, name: str, code: str, level: Level, parent: str | None, kind=RegionKind.UNKNOWN):
    key = key_from_code(code, level) if level is not Level.GRID else int(code)
    region = Region.objects.create(
        id=key,
        code=code.ljust(12, "0") if level is not Level.GRID else code,
        name=name,
        level=level,
        parent=tree.regions.get(parent) if parent else None,
        kind=kind,
    )
    tree.regions[name] = region
    return region


def _person(tree: Tree, username: str, role: str, region: str, unit: str | None, hours=40) -> User:
    person = User.objects.create_user(
        username=username,
        password=PASSWORD,
        display_name=username,
        phone="13812345678",
        id_number="12010119900101123X",
        address="天津市和平区劝业场街道花园路3号楼2门",
        weekly_capacity_hours=Decimal(hours) if hours else None,
    )
    RoleAssignment.objects.create(
        user=person, role=role, region=tree.regions[region], unit=tree.units.get(unit) if unit else None
    )
    tree.people[username] = person
    return person


@pytest.fixture
def tree(db) -> Tree:
    """天津 › 和平区 › 两条街道 › 社区 › 网格, plus a sibling district, with one person per role."""
    t = Tree()
    _region(t, "天津市", "12", Level.PROVINCE, None)
    _region(t, "市辖区", "1201", Level.CITY, "天津市")
    _region(t, "和平区", "120101", Level.DISTRICT, "市辖区")
    _region(t, "蓟州区", "120119", Level.DISTRICT, "市辖区")
    _region(t, "劝业场街道", "120101001", Level.STREET, "和平区")
    _region(t, "小白楼街道", "120101002", Level.STREET, "和平区")
    _region(t, "渔阳镇", "120119100", Level.STREET, "蓟州区")
    _region(t, "花园路社区", "120101001001", Level.COMMUNITY, "劝业场街道", RegionKind.URBAN)
    _region(t, "新华社区", "120101001002", Level.COMMUNITY, "劝业场街道", RegionKind.URBAN)
    _region(t, "五大道社区", "120101002001", Level.COMMUNITY, "小白楼街道", RegionKind.URBAN)
    _region(t, "西关村", "120119100201", Level.COMMUNITY, "渔阳镇", RegionKind.RURAL)
    for community in ("花园路社区", "新华社区", "五大道社区", "西关村"):
        for n in (1, 2):
            key = grid_key(t.regions[community].id, n)
            _region(t, f"{community}第{n}网格", str(key), Level.GRID, community)
    unit_specs = [
        ("和平区城管委", UnitKind.DEPARTMENT, "和平区", DepartmentType.URBAN_MANAGEMENT),
        ("蓟州区城管委", UnitKind.DEPARTMENT, "蓟州区", DepartmentType.URBAN_MANAGEMENT),
        ("劝业场街道办事处", UnitKind.STREET_OFFICE, "劝业场街道", ""),
        ("小白楼街道办事处", UnitKind.STREET_OFFICE, "小白楼街道", ""),
        ("渔阳镇人民政府", UnitKind.TOWNSHIP_GOVERNMENT, "渔阳镇", ""),
        ("花园路社区居委会", UnitKind.RESIDENTS_COMMITTEE, "花园路社区", ""),
        ("新华社区居委会", UnitKind.RESIDENTS_COMMITTEE, "新华社区", ""),
        ("五大道社区居委会", UnitKind.RESIDENTS_COMMITTEE, "五大道社区", ""),
        ("西关村委会", UnitKind.VILLAGE_COMMITTEE, "西关村", ""),
        ("劝业场街道志愿服务队", UnitKind.VOLUNTEER_TEAM, "劝业场街道", ""),
    ]
    for name, kind, region, department_type in unit_specs:
        t.units[name] = Unit.objects.create(
            name=name, kind=kind, region=t.regions[region], department_type=department_type
        )
    _person(t, "grid", Role.GRID_WORKER, "花园路社区第1网格", "花园路社区居委会")
    _person(t, "community", Role.COMMUNITY_WORKER, "花园路社区", "花园路社区居委会")
    _person(t, "dispatcher", Role.STREET_DISPATCHER, "劝业场街道", "劝业场街道办事处")
    _person(t, "handler", Role.DEPARTMENT_HANDLER, "和平区", "和平区城管委")
    _person(t, "leader", Role.LEADER, "和平区", None)
    _person(t, "supervisor", Role.SUPERVISOR, "和平区", None)
    _person(t, "volunteer", Role.VOLUNTEER, "花园路社区", "劝业场街道志愿服务队", hours=None)
    _person(t, "resident", Role.RESIDENT, "花园路社区", None, hours=None)
    _person(t, "admin", Role.ADMINISTRATOR, "和平区", None)
    _person(t, "jz-dispatcher", Role.STREET_DISPATCHER, "渔阳镇", "渔阳镇人民政府")
    return t


@pytest.fixture
def login(client):
    def _login(user: User):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Tests do not run collectstatic: serve static files from the apps without a manifest."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast hashing in tests only
    # rate-limit counters in a per-process cache, emptied for each test (the file cache would carry them over)
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fuhe-test-ratelimit"},
    }
    settings.FUHE_RATE_LIMIT_CACHE = "ratelimit"
    caches["ratelimit"].clear()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _audit_triggers(request):
    """Keep the append-only triggers in place for every database test; transactional tests empty the
    database afterwards (a flush is a DELETE), so they lift the triggers just for that."""
    marker = request.node.get_closest_marker("django_db")
    uses_db = marker is not None or {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    if not uses_db:
        yield
        return
    from django.db import connection

    from fuhe.audit import triggers
    from fuhe.participation import triggers as ledger_triggers

    transactional = (marker is not None and marker.kwargs.get("transaction")) or {
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    request.getfixturevalue("transactional_db" if transactional else "db")
    triggers.install(connection)
    ledger_triggers.install(connection)
    yield
    if transactional:
        triggers.remove(connection)
        ledger_triggers.remove(connection)


@pytest.fixture(autouse=True)
def _language_restored():
    """A request in English (the language cookie) leaves English active in the thread: restore the default, so a
    test's language never depends on the test that ran before it."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _tasks_run_immediately():
    """Background tasks run in-process during tests (the huey consumer is not started)."""
    from huey.contrib.djhuey import HUEY

    previous, HUEY.immediate = HUEY.immediate, True
    yield
    HUEY.immediate = previous
