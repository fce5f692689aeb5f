"""Reads of the points ledger: balances (derived from entries, never stored), statements, the catalogue.

A balance is the account's balance at the latest checkpoint plus the sum of its entries after it: two index
lookups and one range on (account, seq), however long the ledger is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from fuhe.accounts.models import Role, User
from fuhe.accounts.scope import scope_for
from fuhe.participation.core import volunteering as volunteering_core
from fuhe.participation.core.ledger import GENESIS
from fuhe.participation.models import (
    Account,
    AccountKind,
    Certification,
    Checkpoint,
    CheckpointBalance,
    Entry,
    LedgerHead,
    RedemptionItem,
    RequestState,
    ServiceRecord,
    ServiceRequest,
    TransactionKind,
)
from fuhe.participation.rules import (
    can_manage_request,
    can_view_account,
    certification_grants,
    is_staff_person,
    volunteer_area_ranges,
)

STATEMENT_PAGE_SIZE = 50


def ledger_head() -> tuple[int, str]:
    """(number of the last entry, its hash): keep it outside the database to detect a rewrite later."""
    head = LedgerHead.objects.filter(id=1).values_list("seq", "hash").first()
    return head if head else (0, GENESIS)


def checkpoint_latest_seq() -> int:
    """The entry number of the latest checkpoint (0: none yet)."""
    return Checkpoint.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def account_balance(*, account: Account | int) -> int:
    """The account's balance: its balance at the latest checkpoint plus its entries after that checkpoint.

    One statement (the latest checkpoint's number, the account's row there by the (account, checkpoint) index,
    the sum of its later entries by the (account, seq) index); the ORM's three queries cost 5× as much."""
    account_id = account if isinstance(account, int) else account.pk
    with connection.cursor() as cursor:
        cursor.execute(_BALANCE_SQL, [account_id, account_id])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


_BALANCE_TABLE, _ENTRY_TABLE = CheckpointBalance._meta.db_table, Entry._meta.db_table
_BALANCE_SQL = (
    f"SELECT COALESCE((SELECT b.balance FROM {_BALANCE_TABLE} b"  # noqa: S608 (table names, no user input)
    " WHERE b.account_id = %s AND b.checkpoint_id = c.seq), 0)"
    f" + COALESCE((SELECT SUM(e.amount) FROM {_ENTRY_TABLE} e WHERE e.account_id = %s AND e.seq > c.seq), 0)"
    f" FROM (SELECT COALESCE(MAX(seq), 0) AS seq FROM {Checkpoint._meta.db_table}) c"
)


def account_of_person(*, person) -> Account | None:
    return Account.objects.filter(kind=AccountKind.PERSON, person=person).first()


def account_of_unit(*, unit) -> Account | None:
    return Account.objects.filter(kind=AccountKind.ORGANISATION, unit=unit).first()


def account_get(*, user, account_id: int) -> Account:
    """The account, if ``user`` may see it; missing and out of scope raise the same 404."""
    account = Account.objects.select_related("person", "unit").filter(pk=account_id).first()
    if account is None or not can_view_account(user, account):
        raise Http404("no such account")
    return account


@dataclass(frozen=True)
class StatementLine:
    seq: int
    at: datetime
    kind: str
    kind_label: str
    reference: str
    memo: str
    transaction_id: int
    amount: int
    balance_after: int


@dataclass(frozen=True)
class Statement:
    account: Account
    balance: int
    lines: list[StatementLine]
    number: int
    has_next: bool
    has_previous: bool
    total_lines: int


def account_statement(*, account: Account, page: int | str | None = 1, per_page: int = STATEMENT_PAGE_SIZE):
    """The account's entries, newest first, a page at a time, each with the balance after it."""
    entries = Entry.objects.filter(account=account).order_by("-seq")
    paginator = Paginator(entries.values_list("seq", flat=True), per_page)
    current = paginator.get_page(page)
    seqs = list(current.object_list)
    balance = account_balance(account=account)
    lines: list[StatementLine] = []
    if seqs:
        newer = Entry.objects.filter(account=account, seq__gt=seqs[0]).aggregate(total=Sum("amount"))["total"] or 0
        running = balance - newer
        rows = (
            Entry.objects.filter(seq__in=seqs)
            .select_related("transaction")
            .order_by("-seq")
            .only(
                "seq", "amount", "transaction__kind", "transaction__reference", "transaction__memo", "transaction__at"
            )
        )
        for entry in rows:
            transaction = entry.transaction
            lines.append(
                StatementLine(
                    seq=entry.seq,
                    at=transaction.at,
                    kind=transaction.kind,
                    kind_label=TransactionKind(transaction.kind).label,
                    reference=transaction.reference,
                    memo=transaction.memo,
                    transaction_id=entry.transaction_id,
                    amount=entry.amount,
                    balance_after=running,
                )
            )
            running -= entry.amount
    return Statement(
        account=account,
        balance=balance,
        lines=lines,
        number=current.number,
        has_next=current.has_next(),
        has_previous=current.has_previous(),
        total_lines=paginator.count,
    )


def redemption_items_available():
    """The catalogue: active items with stock left, cheapest first."""
    return RedemptionItem.objects.filter(is_active=True, stock__gt=0).select_related("owner").order_by("points", "name")


# --- volunteers ---------------------------------------------------------------------------------------------------


def certifications_of(*, person):
    """A person's certifications, newest first, with their issuer."""
    return Certification.objects.filter(volunteer=person).select_related("issuer", "revoked_by")


def certifications_issued(*, user, units):
    """Certifications issued by the units ``user`` acts for (the issuing body's page)."""
    return (
        Certification.objects.filter(issuer__in=units)
        .select_related("volunteer", "issuer")
        .order_by("-issued_at", "-id")[:200]
    )


def certification_get_for_issuer(*, user, certification_id: int, units) -> Certification:
    certification = Certification.objects.select_related("issuer").filter(pk=certification_id, issuer__in=units).first()
    if certification is None:
        raise Http404("no such certification")
    return certification


def volunteer_find(*, user, username: str):
    """A resident or volunteer by sign-in name, among the people ``user``'s scope holds (None otherwise)."""
    person = User.objects.filter(username=(username or "").strip(), is_active=True).first()
    if person is None or is_staff_person(person):
        return None
    scope = scope_for(user)
    if not any(scope.contains_region(region) for region in scope_for(person).home_region_ids):
        return None
    return person


def _area_q(user) -> Q:
    ranges = volunteer_area_ranges(user)
    if not ranges:
        return Q(pk__in=[])
    condition = Q()
    for low, high in ranges:
        condition |= Q(region_id__gte=low, region_id__lt=high)
    return condition


def service_requests_available(*, user) -> list[ServiceRequest]:
    """Open requests in the volunteer's area that their certifications (valid today) let them take."""
    if is_staff_person(user):
        return []
    rows = ServiceRequest.objects.filter(_area_q(user), state=RequestState.OPEN).select_related("region", "unit")
    return [
        r for r in rows.order_by("starts_at", "id")[:200] if certification_grants(user, r.field, min_level=r.min_level)
    ]


def service_requests_taken(*, user):
    """The requests ``user`` took, newest first."""
    return ServiceRequest.objects.filter(volunteer=user).select_related("region", "unit").order_by("-taken_at", "-id")


def service_requests_managed(*, user):
    """The requests ``user`` owns or whose organisation they act for, newest first."""
    units = sorted(scope_for(user).unit_ids)
    return (
        ServiceRequest.objects.filter(Q(owner=user) | Q(unit_id__in=units))
        .select_related("region", "volunteer")
        .order_by("-created_at", "-id")[:200]
    )


def service_request_get(*, user, request_id: int) -> ServiceRequest:
    """The request, if ``user`` may see it: its owner and organisation, staff whose scope holds its region, the
    volunteer who took it, and volunteers of its area while it is open. Missing and out of scope raise the same
    404."""
    request = (
        ServiceRequest.objects.select_related("region", "unit", "owner", "volunteer", "case", "demand")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise Http404("no such request")
    if can_manage_request(user, request) or request.volunteer_id == user.pk:
        return request
    if is_staff_person(user):
        if scope_for(user).contains_region(request.region_id):
            return request
    elif request.state == RequestState.OPEN and any(
        low <= request.region_id < high for low, high in volunteer_area_ranges(user)
    ):
        return request
    raise Http404("no such request")


@dataclass(frozen=True)
class RecordView:
    """A service record as it stands: the original values with the corrections applied."""

    record: ServiceRecord
    content: str
    place: str
    started_at: datetime
    hours: Decimal


def record_current(record: ServiceRecord) -> RecordView:
    """The record's values after its corrections (in order); the original row and the corrections stay."""
    original = {
        "content": record.content,
        "place": record.place,
        "started_at": record.started_at,
        "hours": record.hours,
    }
    corrections = []
    for correction in record.corrections.all():
        value: object = correction.new_value
        if correction.field == "hours":
            value = Decimal(correction.new_value)
        elif correction.field == "started_at":
            value = parse_datetime(correction.new_value)
        corrections.append((correction.field, value))
    current = volunteering_core.apply_corrections(original, corrections)
    return RecordView(record=record, **current)


def service_records_of(*, person) -> list[RecordView]:
    """A volunteer's service records as they stand, newest first."""
    rows = (
        ServiceRecord.objects.filter(volunteer=person)
        .select_related("request", "request__unit", "request__region", "signed_by", "earning")
        .prefetch_related("corrections")
    )
    return sorted((record_current(r) for r in rows), key=lambda v: (v.started_at, v.record.pk), reverse=True)


def volunteer_candidates(*, request: ServiceRequest, limit: int = 10) -> list[volunteering_core.Ranked]:
    """Volunteers who could take ``request``, ranked (``core/volunteering.rank_volunteers``): certified for its
    field and level today, living in its street, by distance, load and level."""
    street_low = request.region_id // 10**6 * 10**6
    people = (
        User.objects.filter(
            is_active=True,
            roles__role__in=[Role.VOLUNTEER, Role.RESIDENT],
            roles__region_id__gte=street_low,
            roles__region_id__lt=street_low + 10**6,
        )
        .distinct()
        .annotate(
            open_tasks=Count("service_requests_taken", filter=Q(service_requests_taken__state=RequestState.TAKEN))
        )
    )
    today = timezone.localdate()
    candidates = []
    for person in people[:500]:
        if is_staff_person(person):
            continue
        if request.field in ("general", ""):
            level = 0
        else:
            levels = [
                c.level
                for c in Certification.objects.filter(volunteer=person, field=request.field, revoked_at__isnull=True)
                if c.valid_from <= today <= c.valid_until
            ]
            level = max(levels, default=0)
            if level < request.min_level:
                continue
        candidates.append(
            volunteering_core.Candidate(
                person_id=person.pk,
                name=str(person),
                region_ids=scope_for(person).home_region_ids,
                level=level,
                open_tasks=person.open_tasks,
            )
        )
    return volunteering_core.rank_volunteers(request.region_id, candidates, limit=limit)
