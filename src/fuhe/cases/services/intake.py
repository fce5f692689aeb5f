"""Intake: every channel creates cases through ``case_create`` (validation, region, idempotency, audit)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhe.accounts.scope import scope_for
from fuhe.audit.services import ObjectRef, audit_append, audit_prepare
from fuhe.cases.core.search import search_terms
from fuhe.cases.events import CaseReceived
from fuhe.cases.models import Case, CaseEvent, CaseSearch, Category, Channel, RequestType, Urgency
from fuhe.common.events import publish_on_commit
from fuhe.common.text import without_control_characters
from fuhe.db import insert, prepare
from fuhe.org.core.divisions import Level, subtree_range
from fuhe.org.core.places import address_match, name_variants
from fuhe.org.models import Place, Region, UnitKind
from fuhe.org.regions import regions_at

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud on the phone


class IdempotencyConflictError(Exception):
    """The same idempotency key was used with a different request body."""


class IdempotencyInProgressError(Exception):
    """A concurrent request with the same idempotency key won the race; retry to get its answer."""


@dataclass(frozen=True)
class Intake:
    case: Case
    access_token: str | None  # shown once to the resident; None when an earlier identical request is replayed
    created: bool


_CODE_DIGITS = 9
_CODE_SPACE = len(CODE_ALPHABET) ** _CODE_DIGITS


def _tracking_code() -> str:
    """ "F" and nine characters drawn uniformly from ``CODE_ALPHABET`` (one draw from the OS's randomness)."""
    number = secrets.randbelow(_CODE_SPACE)
    digits = []
    for _position in range(_CODE_DIGITS):
        number, digit = divmod(number, len(CODE_ALPHABET))
        digits.append(CODE_ALPHABET[digit])
    return "F" + "".join(digits)


def hash_token(token: str, *, code: str = "") -> str:
    """What is stored of a resident's secret: HMAC-SHA256 keyed by the case's tracking code, so a copy of the
    database cannot be searched for every case's password at once (each case is its own 59-bit search). Without a
    code: the plain SHA-256 of the cases reported before, whose links keep working."""
    if code:
        return hmac.new(code.encode(), token.encode(), hashlib.sha256).hexdigest()
    return hashlib.sha256(token.encode()).hexdigest()


ACCESS_SECRET_LENGTH = 12  # 31 ** 12 ≈ 2 ** 59.5: no one guesses it, even without the lockout of the tracking form
ACCESS_SECRET_GROUP = 4


def access_secret() -> str:
    """The resident's query password (查询密码), also the secret of the tracking link (``?t=``): twelve characters
    drawn uniformly from ``CODE_ALPHABET`` (no 0/O, 1/I/L), so it can be read aloud, written down and typed."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(ACCESS_SECRET_LENGTH))


def access_secret_normalize(text: str) -> str:
    """What a resident typed, as stored: upper case, without the spaces and dashes of the grouping."""
    return "".join(text.split()).replace("-", "").replace("－", "").upper()


def is_access_secret(text: str) -> bool:
    """``text`` (normalized) has the form of a query password: twelve characters of ``CODE_ALPHABET``."""
    return len(text) == ACCESS_SECRET_LENGTH and all(char in CODE_ALPHABET for char in text)


def access_secret_display(secret: str | None) -> str | None:
    """The query password grouped 4-4-4 for reading (``ABCD-EFGH-JKMN``); ``None`` for a secret of another form
    (the links of cases reported before there were query passwords)."""
    if not secret or not is_access_secret(secret):
        return None
    size = ACCESS_SECRET_GROUP
    return "-".join(secret[start : start + size] for start in range(0, len(secret), size))


def _fingerprint(fields: dict) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _short(name: str) -> str:
    for suffix in ("社区居委会", "居委会", "村委会"):
        if name.endswith(suffix):
            return name.removesuffix(suffix) + ("社区" if suffix != "村委会" else "村")
    return name


SERVED_KINDS = (
    UnitKind.RESIDENTS_COMMITTEE,
    UnitKind.VILLAGE_COMMITTEE,
    UnitKind.STREET_OFFICE,
    UnitKind.TOWNSHIP_GOVERNMENT,
)
#: seconds a process keeps its index of served region names; saves and deletes of regions and units in this
#: process drop it at once (see ``region_names_forget``), other processes see a new committee within this time
REGION_NAMES_TTL = 300.0


@dataclass
class _RegionNames:
    by_name: dict[str, int]  # a name as written in addresses → the largest (deepest) region id bearing it
    longest: int
    built: float
    levels: dict[int, str] = field(default_factory=dict)  # region id → its level (a subtree's span)

    def within(self, inner: int, outer: int) -> bool:
        """``inner`` lies in ``outer``'s subtree (below it)."""
        level = self.levels.get(outer)
        if level is None or inner == outer:
            return False
        low, high = subtree_range(outer, Level(level))
        return low <= inner < high


_region_names: _RegionNames | None = None


#: region id → (time read, (id, code, name, level)): the regions intake requests name, see ``region_for_intake``
_region_rows: dict[int, tuple[float, tuple]] = {}
_REGION_FIELDS = ("id", "code", "name", "level")
_REGION_SQL = f"SELECT id, code, name, level FROM {Region._meta.db_table} WHERE id = %s"  # noqa: S608


def region_names_forget(**_kwargs) -> None:
    """Drop the index of served region names and the regions read for intake (connected to saves and deletes of
    regions and units)."""
    global _region_names
    _region_names = None
    _region_rows.clear()


def region_for_intake(pk) -> Region | None:
    """The region with this id (only id, code, name and level loaded), or None (also for an id that is no number).

    Kept per process for ``REGION_NAMES_TTL`` seconds like the index of names: an intake names a region on every
    request, and regions change rarely (saves and deletes in this process drop the copy at once). Each call
    returns a new instance, so a caller's changes never leak into another request."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    now = time.monotonic()
    cached = _region_rows.get(pk)
    if cached is None or now - cached[0] > REGION_NAMES_TTL:
        connection = connections[Region.objects.db]
        with connection.cursor() as cursor:  # plain SQL: the ORM's query building cost more than the query
            cursor.execute(_REGION_SQL, [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        if len(_region_rows) > 100_000:
            _region_rows.clear()
        cached = _region_rows[pk] = (now, row)
    return Region.from_db(Region.objects.db, _REGION_FIELDS, cached[1])


def _served_region_names() -> _RegionNames:
    """The names addresses use: the served regions' (streets, communities with a unit), with and without their
    suffix (花园路社区, 花园路), and the gazetteer's places and aliases (the region holding each)."""
    global _region_names
    now = time.monotonic()
    if _region_names is None or now - _region_names.built > REGION_NAMES_TTL:
        by_name: dict[str, int] = {}
        levels: dict[int, str] = {}

        def add(written: str, region_id: int) -> None:
            if len(written) >= 2 and by_name.get(written, -1) < region_id:
                by_name[written] = region_id

        served = Region.objects.filter(units__kind__in=SERVED_KINDS).values_list("id", "name", "level").distinct()
        for region_id, name, level in served.iterator(chunk_size=5000):
            levels[region_id] = level
            for written in {_short(name), *name_variants(name)}:
                add(written, region_id)
        places = Place.objects.values_list("region_id", "region__level", "name", "aliases")
        for region_id, level, name, aliases in places.iterator(chunk_size=5000):
            levels[region_id] = level
            for written in {name, *(aliases or [])}:
                add(str(written), region_id)
        _region_names = _RegionNames(by_name, max(map(len, by_name), default=0), now, levels)
    return _region_names


def region_from_address(address: str) -> Region | None:
    """The region an address names: the longest served region name or gazetteer place found in it wins, and a
    region named inside its subtree is more precise (劝业场街道花园路社区: the community); see
    ``fuhe.org.core.places.address_match``.

    Every substring of the address (up to the longest name) is looked up in a per-process index of the names, so
    the cost grows with the address, not with the number of regions."""
    if not address:
        return None
    for attempt in range(2):
        names = _served_region_names()
        region_id = address_match(address, names.by_name, names.longest, names.within)
        if region_id is None:
            return None
        region = region_for_intake(region_id)  # with its code, which the audit row records
        if region is not None:
            return region
        if attempt == 0:
            region_names_forget()  # the index outlived its region: rebuild it once
    return None


def fallback_region() -> Region:
    """District 兜底: the configured region, else the first district that has a government unit."""
    code = getattr(settings, "FUHE_FALLBACK_REGION_CODE", "")
    region = Region.objects.filter(code=code).first() if code else None
    region = region or Region.objects.filter(level=Level.DISTRICT, units__kind=UnitKind.DISTRICT_GOVERNMENT).first()
    if region is None:
        raise ValidationError({"region": _("the platform serves no district yet (import regions and units first)")})
    return region


def region_from_point(latitude, longitude) -> Region | None:
    """The smallest region (grid, community …) whose boundary holds the point (WGS-84), or None."""
    if latitude is None or longitude is None:
        return None
    region_id = regions_at([(float(latitude), float(longitude))])[0]
    return region_for_intake(region_id) if region_id is not None else None


def resolve_region(*, region: Region | None, address: str, reporter, latitude=None, longitude=None) -> Region:
    """Where a new case belongs: the region given; else the smallest region holding its point; else the region its
    address names (region names and the gazetteer); else the reporter's home; else the district's 兜底."""
    if region is not None:
        return region
    found = region_from_point(latitude, longitude) or region_from_address(address)
    if found is not None:
        return found
    if reporter is not None and getattr(reporter, "is_authenticated", False):
        home = scope_for(reporter).home_region_ids
        if home:
            return Region.objects.get(pk=home[0])
    return fallback_region()


_CHANNELS, _REQUEST_TYPES = frozenset(Channel.values), frozenset(RequestType.values)
_URGENCIES = frozenset(Urgency.values)
#: the fields of a new case that come from the request; every other field starts at its constant default
_REQUEST_FIELDS = ("title", "address", "latitude", "longitude", "reporter_name", "reporter_phone", "idempotency_key")


def _clean_request_fields(case: Case) -> None:
    """The model's own checks (length, decimal places) of the fields the request filled, like ``full_clean``
    restricted to them: the other fields hold their defaults and the related objects were passed as instances."""
    errors = {}
    for name in _REQUEST_FIELDS:
        value = getattr(case, name)
        if value is None or value == "":
            continue
        try:
            setattr(case, name, Case._meta.get_field(name).clean(value, case))
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)


def _validate(*, text: str, address: str, latitude, longitude, region, channel: str, request_type: str, urgency: str):
    errors = {}
    if not text or not text.strip():
        errors["text"] = _("describe the problem")
    elif len(text) > 4000:
        errors["text"] = _("at most 4,000 characters")
    if not (address and address.strip()) and (latitude is None or longitude is None) and region is None:
        errors["where"] = _("give an address, pick a point on the map or choose the community/grid")
    if (latitude is None) != (longitude is None):
        errors["latitude"] = _("give both latitude and longitude, or neither")
    if latitude is not None and not (-90 <= Decimal(str(latitude)) <= 90):
        errors["latitude"] = _("must be between -90 and 90")
    if longitude is not None and not (-180 <= Decimal(str(longitude)) <= 180):
        errors["longitude"] = _("must be between -180 and 180")
    if channel not in _CHANNELS:
        errors["channel"] = _("%(value)s is not a channel") % {"value": repr(channel)}
    if request_type not in _REQUEST_TYPES:
        errors["request_type"] = _("%(value)s is not a request type") % {"value": repr(request_type)}
    if urgency not in _URGENCIES:
        errors["urgency"] = _("%(value)s is not an urgency") % {"value": repr(urgency)}
    if errors:
        raise ValidationError(errors)


def case_create(
    *,
    actor,
    channel: str,
    text: str,
    title: str = "",
    address: str = "",
    latitude=None,
    longitude=None,
    region: Region | None = None,
    category: Category | None = None,
    request_type: str = RequestType.HELP,
    urgency: str = Urgency.NORMAL,
    reporter_name: str = "",
    reporter_phone: str = "",
    is_proactive: bool = False,
    is_public: bool = False,  # private unless the reporter chose to publish a summary
    idempotency_key: str | None = None,
    received_at=None,
) -> Intake:
    """Create one case. A retried request with the same idempotency key returns the first case."""
    # characters no XML (Open311's requests.xml) or workbook can carry are dropped from what the caller typed
    text, title, address, reporter_name = (
        without_control_characters(value) for value in (text, title, address, reporter_name)
    )
    _validate(
        text=text,
        address=address,
        latitude=latitude,
        longitude=longitude,
        region=region,
        channel=channel,
        request_type=request_type,
        urgency=urgency,
    )
    fingerprint = ""
    if idempotency_key:
        fingerprint = _fingerprint(
            {
                "channel": channel,
                "text": text.strip(),
                "title": title.strip(),
                "address": address.strip(),
                "latitude": latitude,
                "longitude": longitude,
                "region": region.pk if region else None,
                "category": category.pk if category else None,
                "request_type": request_type,
                "urgency": urgency,
                "reporter_phone": reporter_phone.strip(),
            }
        )
        existing = Case.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.request_fingerprint != fingerprint:
                raise IdempotencyConflictError("this idempotency key was used with a different request")
            return Intake(existing, None, False)
    reporter = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    token = access_secret()
    text = text.strip()
    tracking_code = _tracking_code()
    case = Case(
        tracking_code=tracking_code,
        access_token_hash=hash_token(token, code=tracking_code),
        channel=channel,
        request_type=request_type,
        title=(title.strip() or text[:40])[:120],
        text=text,
        category=category,
        urgency=urgency,
        address=address.strip(),
        latitude=latitude,
        longitude=longitude,
        region=resolve_region(
            region=region, address=address, reporter=reporter, latitude=latitude, longitude=longitude
        ),
        reporter_name=reporter_name.strip(),
        reporter_phone=reporter_phone.strip(),
        reporter=reporter if channel == Channel.WEB else None,
        is_proactive=is_proactive,
        is_public=is_public,
        created_at=received_at or timezone.now(),
        created_by=reporter,
        idempotency_key=idempotency_key or None,
        request_fingerprint=fingerprint,
    )
    # Field checks of what the request filled in (text is checked above); uniqueness (tracking code, idempotency
    # key) is the database's job — checking it here would cost queries on every intake.
    _clean_request_fields(case)
    # Every row is built before the transaction, so the database's write lock is held only for the statements:
    # plain INSERTs (Case.save() adds nothing to an insert; the ORM's would compile each statement every time).
    case_row = prepare(case)
    event_row = prepare(
        CaseEvent(
            case=case,
            at=case.created_at,
            actor=reporter,
            action="receive",
            to_state=case.state,
            data={"channel": channel},
        )
    )
    audit = audit_prepare(
        actor=reporter,
        action="case.receive",
        target=ObjectRef(Case._meta.label_lower, ""),
        summary={
            "after": {"channel": channel, "region": case.region.code, "category": category.pk if category else None}
        },
    )
    try:
        with transaction.atomic(using=case_row.alias), connections[case_row.alias].cursor() as cursor:
            case_row.execute(cursor)
            event_row.set("case_id", case.pk)
            event_row.execute(cursor)
            index_for_search(case)
            audit_append(audit, cursor, object_id=case.pk)
    except IntegrityError:
        if idempotency_key and Case.objects.filter(idempotency_key=idempotency_key).exists():
            raise IdempotencyInProgressError("a request with this idempotency key is being processed") from None
        raise
    # routing listens (in the background worker, in-process when tasks run immediately), after the commit
    publish_on_commit(CaseReceived(case.pk), using=case_row.alias)
    return Intake(case, token, True)


def index_for_search(case: Case) -> None:
    """Store the case's search terms where the database indexes them (see ``CaseSearch``): on PostgreSQL now; on
    SQLite the background worker indexes new cases in batches (``cases_search_index``) and searches scan the
    cases it has not reached yet, so nothing is missed meanwhile."""
    if connection.vendor != "sqlite":
        insert(CaseSearch(case=case, terms=search_terms(case.title, case.text, case.address)))


def case_verify_access(*, case: Case, token: str = "", phone_last4: str = "", password: str = "") -> bool:
    """The resident's tracking link (its secret ``token``, as given: the links of older cases keep working), the
    query password (the same secret, typed: any case, with or without the grouping's dashes) or the last four
    digits of the phone they left."""
    candidates = [token] if token else []
    if password and is_access_secret(access_secret_normalize(password)):
        candidates.append(access_secret_normalize(password))
    stored = case.access_token_hash
    for candidate in candidates:
        keyed, plain = hash_token(candidate, code=case.tracking_code), hash_token(candidate)
        if secrets.compare_digest(keyed, stored) or secrets.compare_digest(plain, stored):
            return True
    return bool(
        phone_last4
        and len(case.reporter_phone) >= 4
        and len(phone_last4) == 4
        and secrets.compare_digest(case.reporter_phone[-4:], phone_last4)
    )


def categories_seed(rows: list[tuple[str, str, str]]) -> int:
    """Create the three-level category tree from (level1, level2, level3) rows; idempotent."""
    created = 0
    with transaction.atomic():
        cache: dict[str, Category] = {c.path: c for c in Category.objects.all()}
        for row in rows:
            parent = None
            for depth in range(1, 4):
                names = [n.strip() for n in row[:depth]]
                if not names[-1]:
                    break
                path = "/".join(names)
                if path not in cache:
                    cache[path] = Category.objects.create(name=names[-1], parent=parent, level=depth, path=path)
                    created += 1
                parent = cache[path]
    return created
