"""Loading the State Council's holiday schedule of a year (国务院办公厅关于 20XX 年部分节假日安排的通知).

Until it is loaded, the deadlines falling in a year ``chinese_calendar`` does not know are *provisional*: they count
the statutory holidays computed by ``core/holidays.py`` but not the make-up working days (调休) the notice sets.
``calendar_schedule_import`` reads the notice typed as a table (``core.holidays.parse_schedule``: one row per day
or per range, 休/班), checks every row and writes nothing when one is wrong, then in one transaction writes the
year's ``CalendarDay`` rows, recomputes the running deadlines of open cases that reach into the year (each case whose
deadline moved gets a ``deadline_recomputed`` event with the old and the new dates) and records one audit event.
docs/calendar.md describes the format and the cycle.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from fuhe.audit.services import ObjectRef, audit_record
from fuhe.cases.core.holidays import Holiday, ScheduleProblem, parse_schedule, statutory_days_missing
from fuhe.cases.core.lifecycle import CLOCK_EFFECTS, NO_CLOCKS, Action, Clock, State
from fuhe.cases.core.workcalendar import SHANGHAI, ClockUnit, WorkCalendar
from fuhe.cases.models import CalendarDay, Case, CaseEvent, ClockPolicy
from fuhe.cases.services.clocks import calendar_days_of, clock_policy_for, deadlines_from, work_calendar
from fuhe.common.rows import RowError
from fuhe.common.table_messages import problem_row_error, table_error
from fuhe.common.tables import TableReadError, table_rows, table_suffix

PERMISSION = "cases.import_calendar"
MAX_BYTES = 1024 * 1024  # a year's schedule is a few dozen rows
FIRST_YEAR, LAST_YEAR = 2000, 2100
RECOMPUTED = "deadline_recomputed"  # the case event's action
#: states whose clocks have stopped for good: their deadlines are history, not recomputed
FINISHED_STATES = (State.REPLIED, State.RATED, State.CLOSED, State.MERGED, State.DISMISSED)

PROBLEMS = {
    "empty": gettext_lazy("the file lists no days"),
    "unknown_column": gettext_lazy(
        "unknown column (expected 日期/date or 开始/start and 结束/end, 类型/type, 名称/note)"
    ),
    "column_twice": gettext_lazy("this column is given twice"),
    "missing_column": gettext_lazy("missing column"),
    "date_and_range": gettext_lazy("give either a date column or start and end columns, not both"),
    "extra_cells": gettext_lazy("more cells than the columns (date, type, note or start, end, type, note)"),
    "required": gettext_lazy("required"),
    "not_a_date": gettext_lazy("%(value)s is not a date (write it as 2027-01-01)"),
    "wrong_year": gettext_lazy("%(value)s is not in %(year)s"),
    "end_before_start": gettext_lazy("the range ends before it starts"),
    "range_too_long": gettext_lazy("a range of more than %(limit)s days is not a holiday break"),
    "unknown_type": gettext_lazy("%(value)s is neither 休 (day off) nor 班 (working day)"),
    "too_long": gettext_lazy("longer than %(limit)s characters"),
    "day_twice": gettext_lazy("%(day)s is also on row %(row)s"),
}


#: the schedule's columns as a reader names them (the importer reads 日期/date, 开始/start, 结束/end, 类型/type,
#: 名称/note)
COLUMN_LABELS = {
    "date": pgettext_lazy("holiday schedule column", "Date"),
    "start": pgettext_lazy("holiday schedule column", "Start"),
    "end": pgettext_lazy("holiday schedule column", "End"),
    "type": pgettext_lazy("holiday schedule column", "Type"),
    "note": pgettext_lazy("holiday schedule column", "Name"),
}

CHINESE_HEADERS = {"date": "日期", "start": "开始", "end": "结束", "type": "类型", "note": "名称"}


class CalendarImportError(Exception):
    """Some rows of the schedule are wrong; nothing was written."""

    def __init__(self, errors: Sequence[RowError]):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} error(s): " + "; ".join(str(e) for e in self.errors[:5]))


@dataclass(frozen=True)
class DeadlineChange:
    """A case whose deadlines the loaded schedule moved (``None``: that clock did not move)."""

    case_id: int
    tracking_code: str
    resolution: tuple[datetime, datetime] | None
    acceptance: tuple[datetime, datetime] | None
    is_provisional: bool


@dataclass(frozen=True)
class CalendarImportResult:
    year: int
    days_off: int
    workdays: int
    replaced: int  # the year's days there were before (replace=True)
    changes: tuple[DeadlineChange, ...]
    confirmed: int  # cases whose provisional deadline the schedule confirmed (same date, no longer provisional)
    unexplained: tuple[str, ...]  # tracking codes whose deadline does not follow from their timeline: left alone
    statutory_missing: tuple[Holiday, ...]  # statutory days the schedule does not give off (a warning)


# --- reading the file ---------------------------------------------------------------------------------------------


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": message})


def _bytes_of(file) -> bytes:
    if isinstance(file, str | Path):
        return Path(file).read_bytes()
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(MAX_BYTES + 1)
    return data.encode() if isinstance(data, str) else data


def calendar_schedule_read(file, filename: str | None = None) -> list[list[str]]:
    """The rows of a .csv, .txt (CSV) or .xlsx file, as text; raises ``ValidationError`` on the field "file"."""
    name = filename or (str(file) if isinstance(file, str | Path) else getattr(file, "name", "") or "")
    try:
        table_suffix(name)
        data = _bytes_of(file)
        if len(data) > MAX_BYTES:
            raise _file_error(_("the file is larger than 1 MB; a year's schedule is a few dozen rows"))
        return list(table_rows(data, name))
    except TableReadError as error:
        raise table_error(error) from None


def _row_error(problem: ScheduleProblem) -> RowError:
    return problem_row_error(problem, PROBLEMS)


def row_error_text(error: RowError) -> str:
    """One problem of the schedule in the reader's language: "第 3 行，“日期”：……" (the whole row: "第 3 行：……")."""
    return error.text_in(
        PROBLEMS,
        column_label,
        in_row=gettext("Row %(row)s, column “%(column)s”: %(reason)s"),
        in_whole_row=gettext("Row %(row)s: %(reason)s"),
    )


def column_label(field: str) -> str:
    """A column of the schedule as the reader names it (in Chinese the notice's own header while the catalogue has no
    Chinese for it); a header the importer does not know, as it was typed."""
    if field not in COLUMN_LABELS:
        return field
    label = str(COLUMN_LABELS[field])
    if (get_language() or "").startswith("zh") and not re.search(r"[\u3400-\u9fff]", label):
        return CHINESE_HEADERS[field]
    return label


# --- recomputing the deadlines ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Clocks:
    """A case's running clocks as its timeline replays them, with the deadlines one calendar gives them."""

    acceptance: datetime | None
    resolution: datetime | None
    is_provisional: bool


def _replay(case: Case, events: Iterable[CaseEvent], calendar: WorkCalendar, policy: ClockPolicy) -> _Clocks:
    """The deadlines ``case_transition`` set, computed again on ``calendar``: each running clock from the event that
    last started it, with the extensions granted since (docs/calendar.md)."""
    acceptance_start = resolution_start = None
    extensions: list[int] = []
    requested = None
    for event in events:
        try:
            action = Action(event.action)
        except ValueError:
            continue  # a non-lifecycle event (received, summons, an earlier recomputation)
        effect = CLOCK_EFFECTS.get(action, NO_CLOCKS)
        if Clock.ACCEPTANCE in effect.starts:
            acceptance_start = event.at
        if Clock.RESOLUTION in effect.starts:
            resolution_start, extensions = event.at, []
        if Clock.ACCEPTANCE in effect.stops:
            acceptance_start = None
        if Clock.RESOLUTION in effect.stops:
            resolution_start, extensions = None, []
        if action is Action.REQUEST_EXTENSION:
            requested = event.data.get("days")
        elif action is Action.GRANT_EXTENSION and requested and resolution_start is not None:
            extensions.append(int(requested))
        if action in (Action.GRANT_EXTENSION, Action.DENY_EXTENSION):
            requested = None
    acceptance = resolution = None
    is_provisional = False
    if acceptance_start is not None:
        acceptance = deadlines_from(case, acceptance_start, calendar, policy=policy).acceptance.at
    if resolution_start is not None:
        deadlines = deadlines_from(case, resolution_start, calendar, policy=policy)
        due, is_provisional = deadlines.resolution.at, deadlines.used_fallback
        for days in extensions:
            extended = calendar.deadline_after(due, days, ClockUnit.WORKING_DAY)
            due, is_provisional = extended.at, is_provisional or extended.used_fallback
        resolution = due
    return _Clocks(acceptance, resolution, is_provisional)


def _local(moment: datetime) -> str:
    return f"{moment.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"


def _change_text(change: DeadlineChange) -> str:
    parts = []
    if change.resolution:
        old, new = change.resolution
        parts.append(_("resolve by %(old)s → %(new)s") % {"old": _local(old), "new": _local(new)})
    if change.acceptance:
        old, new = change.acceptance
        parts.append(_("accept by %(old)s → %(new)s") % {"old": _local(old), "new": _local(new)})
    return "; ".join(parts)


def _iso_pair(pair: tuple[datetime, datetime] | None) -> list[str] | None:
    return [moment.isoformat() for moment in pair] if pair else None


def deadlines_recompute(
    *, actor, year: int, before: WorkCalendar, after: WorkCalendar, now: datetime
) -> tuple[list[DeadlineChange], int, list[str]]:
    """Move the running deadlines of open cases that lie in or after ``year`` from the ``before`` calendar to the
    ``after`` one. A case whose stored deadline the replay on ``before`` does not give back (its clock policy was
    edited since, or its row was) is left alone and named. Call inside the import's transaction."""
    since = max(now, datetime(year, 1, 1, tzinfo=SHANGHAI))
    cases = list(
        Case.objects.select_for_update(of=("self",))
        .filter(Q(resolution_due__gte=since) | Q(acceptance_due__gte=since))
        .exclude(state__in=FINISHED_STATES)
        .select_related("category")
        .order_by("pk")
    )
    timelines: dict[int, list[CaseEvent]] = {case.pk: [] for case in cases}
    for event in CaseEvent.objects.filter(case_id__in=list(timelines)).order_by("case_id", "at", "id"):
        timelines[event.case_id].append(event)
    changes: list[DeadlineChange] = []
    unexplained: list[str] = []
    confirmed = 0
    events = []
    policies: dict[tuple, ClockPolicy] = {}
    for case in cases:
        key = (case.urgency, case.request_type, case.category_id)
        policy = policies[key] = policies.get(key) or clock_policy_for(case)
        old = _replay(case, timelines[case.pk], before, policy)
        new = _replay(case, timelines[case.pk], after, policy)
        if (old.resolution is not None and old.resolution != case.resolution_due) or (
            old.acceptance is not None and old.acceptance != case.acceptance_due
        ):
            unexplained.append(case.tracking_code)
            continue
        moved = {}
        if old.resolution and new.resolution and new.resolution != old.resolution and old.resolution >= since:
            moved["resolution"] = (old.resolution, new.resolution)
        if old.acceptance and new.acceptance and new.acceptance != old.acceptance and old.acceptance >= since:
            moved["acceptance"] = (old.acceptance, new.acceptance)
        if not moved:
            if case.deadline_uses_fallback != new.is_provisional:
                Case.objects.filter(pk=case.pk).update(deadline_uses_fallback=new.is_provisional)
                confirmed += 1
            continue
        change = DeadlineChange(
            case.pk, case.tracking_code, moved.get("resolution"), moved.get("acceptance"), new.is_provisional
        )
        fields: dict[str, object] = {"deadline_uses_fallback": new.is_provisional}
        if change.resolution:
            fields.update(resolution_due=new.resolution, warned_at=None)  # warn again before the new deadline
        if change.acceptance:
            fields["acceptance_due"] = new.acceptance
        Case.objects.filter(pk=case.pk).update(**fields)
        events.append(
            CaseEvent(
                case=case,
                at=now,
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                action=RECOMPUTED,
                unit_id=case.owner_unit_id,
                reason=_change_text(change),
                is_public=False,
                data={
                    "year": year,
                    "resolution_due": _iso_pair(change.resolution),
                    "acceptance_due": _iso_pair(change.acceptance),
                    "provisional": [case.deadline_uses_fallback, new.is_provisional],
                },
            )
        )
        changes.append(change)
    CaseEvent.objects.bulk_create(events)
    return changes, confirmed, unexplained


# --- the import ---------------------------------------------------------------------------------------------------


def _checked_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": _("enter a year such as 2027")}) from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        message = _("%(year)s is not a year from %(first)s to %(last)s")
        raise ValidationError({"year": message % {"year": year, "first": FIRST_YEAR, "last": LAST_YEAR}})
    return year


def calendar_schedule_import(
    *, actor, year: int, file, filename: str | None = None, replace: bool = False
) -> CalendarImportResult:
    """Load ``year``'s official holiday schedule from ``file`` (.csv/.txt/.xlsx), all or nothing.

    Raises ``PermissionDenied`` (the actor may not import; ``None`` is the command line), ``ValidationError`` (the
    year or the file) or ``CalendarImportError`` (row errors, each naming its row, field and reason). A year already
    loaded is refused unless ``replace``; then its days are replaced."""
    if actor is not None and not actor.has_perm(PERMISSION):
        raise PermissionDenied(_("You may not load the holiday schedule."))
    year = _checked_year(year)
    rows = calendar_schedule_read(file, filename)
    parsed = parse_schedule(rows, year=year, note_limit=CalendarDay._meta.get_field("note").max_length)
    if parsed.problems:
        raise CalendarImportError([_row_error(problem) for problem in parsed.problems])
    name = Path(filename or getattr(file, "name", "") or str(file)).name
    with transaction.atomic():
        existing = calendar_days_of(year)
        replaced = existing.count()
        if replaced and not replace:
            raise ValidationError(
                {
                    "year": _(
                        "the schedule of %(year)s is already loaded (%(count)s days); choose “replace” to load it again"
                    )
                    % {"year": year, "count": replaced}
                }
            )
        before = work_calendar()
        existing.delete()
        CalendarDay.objects.bulk_create(
            [CalendarDay(day=day.day, is_workday=day.is_workday, note=day.note) for day in parsed.days]
        )
        now = timezone.now()
        changes, confirmed, unexplained = deadlines_recompute(
            actor=actor, year=year, before=before, after=work_calendar(), now=now
        )
        days_off = [day.day for day in parsed.days if not day.is_workday]
        result = CalendarImportResult(
            year=year,
            days_off=len(days_off),
            workdays=len(parsed.days) - len(days_off),
            replaced=replaced,
            changes=tuple(changes),
            confirmed=confirmed,
            unexplained=tuple(unexplained),
            statutory_missing=statutory_days_missing(set(days_off), year),
        )
        audit_record(
            actor=actor,
            action="calendar.schedule_import",
            target=ObjectRef(CalendarDay._meta.label_lower, str(year)),
            summary={
                "year": year,
                "file": name,
                "days_off": result.days_off,
                "workdays": result.workdays,
                "replaced": replaced,
                "recomputed": [change.tracking_code for change in changes],
                "confirmed": confirmed,
                "unexplained": list(unexplained),
            },
        )
    return result
