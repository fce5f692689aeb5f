"""Loading a year's official holiday schedule: checked row by row, all or nothing, audited, deadlines recomputed."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from fuhe.accounts.models import Role, RoleAssignment
from fuhe.audit.models import AuditEvent
from fuhe.audit.services import audit_verify
from fuhe.cases.core.lifecycle import Action
from fuhe.cases.core.workcalendar import SHANGHAI
from fuhe.cases.models import CalendarDay, Case, CaseEvent, ClockPolicy
from fuhe.cases.services import lifecycle as loop
from fuhe.cases.services.calendar_import import (
    RECOMPUTED,
    CalendarImportError,
    calendar_schedule_import,
    row_error_text,
)
from fuhe.cases.services.clocks import calendar_years_missing, work_calendar

pytestmark = pytest.mark.django_db

#: a 2027 schedule as the notice could set it (an example): 元旦 1–4 January off, so Monday 4 January is not worked
SCHEDULE_2027 = """开始,结束,类型,名称
2027-01-01,2027-01-04,休,元旦
2027-02-05,2027-02-11,休,春节
2027-02-14,2027-02-14,班,春节
2027-04-05,2027-04-05,休,清明节
2027-05-01,2027-05-05,休,劳动节
2027-06-09,2027-06-09,休,端午节
2027-09-15,2027-09-15,休,中秋节
2027-10-01,2027-10-07,休,国庆节
"""


def csv_file(text: str, name: str = "2027.csv") -> io.BytesIO:
    file = io.BytesIO(text.encode())
    file.name = name
    return file


def moment(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def admin(tree):
    return tree.people["admin"]  # an administrator of 和平区: a district


def dispatched(tree, new_case, at: datetime, **overrides) -> Case:
    with time_machine.travel(at, tick=False):
        return loop.case_dispatch(
            actor=tree.people["dispatcher"], case=new_case(**overrides), unit=tree.units["和平区城管委"]
        )


# --- the checks ----------------------------------------------------------------------------------------------------


def test_row_errors_name_row_field_and_reason_and_nothing_is_written(tree, admin):
    events = AuditEvent.objects.count()
    text = "日期,类型,名称\n2027-01-01,休,元旦\n2026-12-31,休,\n2027-02-05,放风,春节\n"
    with translation.override("en"), pytest.raises(CalendarImportError) as caught:
        calendar_schedule_import(actor=admin, year=2027, file=csv_file(text))
    assert [(e.row, e.field, e.reason) for e in caught.value.errors] == [
        (3, "date", "2026-12-31 is not in 2027"),
        (4, "type", "放风 is neither 休 (day off) nor 班 (working day)"),
    ]
    assert not CalendarDay.objects.exists() and AuditEvent.objects.count() == events


def test_row_errors_are_said_in_the_reader_s_language_naming_row_and_column(tree, admin):
    text = "开始,结束,类型,名称\n2027-02-11,2027-02-05,休,春节\n2027-03-01,2027-03-01,休,x,多余\n"
    with pytest.raises(CalendarImportError) as caught:  # the reader is Chinese (the default)
        calendar_schedule_import(actor=admin, year=2027, file=csv_file(text))
    backwards, extra = caught.value.errors
    assert backwards.reason == "the range ends before it starts"  # the English stays for the logs
    assert row_error_text(backwards) == "第 2 行，“结束”：该时段的结束日期早于开始日期"  # the catalogue's Chinese
    with translation.override("en"):
        assert row_error_text(backwards) == "Row 2, column “End”: the range ends before it starts"
        assert (
            row_error_text(extra) == "Row 3: more cells than the columns (date, type, note or start, end, type, note)"
        )


@pytest.mark.parametrize(
    ("name", "content", "field"),
    [("2027.xls", b"x", "file"), ("2027.csv", b"  \n", "file"), ("2027.csv", b"\xff\xfe\xfa\xfb\x81", "file")],
)
def test_file_problems_name_the_file(tree, admin, name, content, field):
    file = io.BytesIO(content)
    file.name = name
    with pytest.raises(ValidationError) as caught:
        calendar_schedule_import(actor=admin, year=2027, file=file)
    assert list(caught.value.message_dict) == [field]


@pytest.mark.parametrize("year", ["twenty", 1999, 2101])
def test_the_year_is_checked(tree, admin, year):
    with pytest.raises(ValidationError) as caught:
        calendar_schedule_import(actor=admin, year=year, file=csv_file(SCHEDULE_2027))
    assert list(caught.value.message_dict) == ["year"]


def test_a_loaded_year_is_refused_unless_replaced(tree, admin):
    calendar_schedule_import(actor=admin, year=2027, file=csv_file(SCHEDULE_2027))
    with pytest.raises(ValidationError) as caught:
        calendar_schedule_import(actor=admin, year=2027, file=csv_file("2027-01-01,休,元旦"))
    assert list(caught.value.message_dict) == ["year"]
    result = calendar_schedule_import(actor=admin, year=2027, file=csv_file("2027-01-01,休,元旦"), replace=True)
    assert result.replaced == 27 and result.days_off == 1
    assert list(CalendarDay.objects.values_list("day", flat=True)) == [date(2027, 1, 1)]
    assert len(result.statutory_missing) == 12  # every other statutory day: the file is likely incomplete


def test_only_district_administrators_load_the_schedule(tree, admin):
    street_admin = tree.people["dispatcher"]
    RoleAssignment.objects.create(user=street_admin, role=Role.ADMINISTRATOR, region=tree.regions["劝业场街道"])
    for person in (street_admin, tree.people["leader"], tree.people["handler"]):
        assert not person.has_perm("cases.import_calendar")
        with pytest.raises(PermissionDenied):
            calendar_schedule_import(actor=person, year=2027, file=csv_file(SCHEDULE_2027))
    assert admin.has_perm("cases.import_calendar")
    assert not CalendarDay.objects.exists()


def test_an_xlsx_schedule_with_date_cells(tree, admin):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["日期/date", "类型/type", "名称/note"])
    sheet.append([date(2027, 1, 1), "休", "元旦"])
    sheet.append([datetime(2027, 2, 14), "班", "春节"])  # noqa: DTZ001 (an Excel cell has no time zone)
    file = io.BytesIO()
    workbook.save(file)
    file.name = "2027.xlsx"
    result = calendar_schedule_import(actor=admin, year=2027, file=file)
    assert (result.days_off, result.workdays) == (1, 1)
    assert CalendarDay.objects.get(day=date(2027, 2, 14)).is_workday


# --- the effects ---------------------------------------------------------------------------------------------------


def test_the_import_is_audited_once(tree, admin):
    before = AuditEvent.objects.count()
    calendar_schedule_import(actor=admin, year=2027, file=csv_file(SCHEDULE_2027))
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.object_type, event.object_id, event.actor_id) == (
        "calendar.schedule_import",
        "cases.calendarday",
        "2027",
        admin.pk,
    )
    assert event.summary["days_off"] == 26 and event.summary["workdays"] == 1 and event.summary["file"] == "2027.csv"
    assert audit_verify()[1] == []


def test_the_loaded_year_is_no_longer_missing_nor_provisional(tree, admin):
    assert calendar_years_missing(date(2026, 12, 2)) == (2027,)
    assert work_calendar().deadline_after(moment(2026, 12, 31, 10), 1, "working_day").used_fallback
    calendar_schedule_import(actor=admin, year=2027, file=csv_file(SCHEDULE_2027))
    assert calendar_years_missing(date(2026, 12, 2)) == ()
    deadline = work_calendar().deadline_after(moment(2026, 12, 31, 10), 1, "working_day")
    assert deadline.at == moment(2027, 1, 5, 17, 30) and not deadline.used_fallback


def test_open_deadlines_in_the_year_are_recomputed_and_flagged_in_the_timeline(tree, new_case, admin):
    case = dispatched(tree, new_case, moment(2026, 12, 28, 10))  # Mon; 5 working days
    assert case.resolution_due == moment(2027, 1, 5, 17, 30) and case.deadline_uses_fallback  # 1 January computed
    earlier = dispatched(tree, new_case, moment(2026, 12, 14, 10), text="和平路路灯不亮，晚上很黑")
    Case.objects.filter(pk=case.pk).update(warned_at=moment(2026, 12, 29, 8))  # as if warned before the old deadline
    with time_machine.travel(moment(2026, 12, 29, 9), tick=False):
        result = calendar_schedule_import(actor=admin, year=2027, file=csv_file(SCHEDULE_2027))
    case.refresh_from_db()
    assert case.resolution_due == moment(2027, 1, 6, 17, 30) and not case.deadline_uses_fallback  # 4 January off
    assert case.warned_at is None  # warned again before the new deadline
    assert [change.tracking_code for change in result.changes] == [case.tracking_code]
    event = case.events.get(action=RECOMPUTED)
    assert event.data["resolution_due"] == [
        moment(2027, 1, 5, 17, 30).isoformat(),
        moment(2027, 1, 6, 17, 30).isoformat(),
    ]
    assert event.data["provisional"] == [True, False] and event.actor == admin and not event.is_public
    assert "2027-01-05 17:30 → 2027-01-06 17:30" in event.reason
    with translation.override("en"):
        assert event.get_action_label() == "deadline recomputed (official holiday schedule)"
    assert not earlier.events.filter(action=RECOMPUTED).exists()  # due in 2026: untouched
    assert AuditEvent.objects.latest("seq").summary["recomputed"] == [case.tracking_code]


def test_an_extension_into_2027_stays_provisional_until_the_schedule_is_loaded(tree, new_case, admin):
    handler, dispatcher = tree.people["handler"], tree.people["dispatcher"]
    case = dispatched(tree, new_case, moment(2026, 12, 14, 10))
    with time_machine.travel(moment(2026, 12, 15, 10), tick=False):
        for action in (Action.ACCEPT, Action.START):
            case = loop.case_transition(actor=handler, case=case, action=action)
        case = loop.case_request_extension(actor=handler, case=case, days=15, reason="需协调产权单位")
        case = loop.case_grant_extension(actor=dispatcher, case=case)
    case.refresh_from_db()
    # from Mon 21 Dec: 8 days to 31 Dec, then 4–8 and 11–12 January (1 January computed as 元旦)
    assert case.resolution_due == moment(2027, 1, 12, 17, 30) and case.deadline_uses_fallback
    with time_machine.travel(moment(2026, 12, 16, 10), tick=False):
        result = calendar_schedule_import(actor=admin, year=2027, file=csv_file(SCHEDULE_2027))
    case.refresh_from_db()
    assert case.resolution_due == moment(2027, 1, 13, 17, 30) and not case.deadline_uses_fallback
    assert result.changes[0].resolution == (moment(2027, 1, 12, 17, 30), moment(2027, 1, 13, 17, 30))


def test_a_schedule_that_confirms_the_computed_days_clears_the_flag_without_an_event(tree, new_case, admin):
    case = dispatched(tree, new_case, moment(2026, 12, 28, 10))
    with time_machine.travel(moment(2026, 12, 29, 9), tick=False):
        result = calendar_schedule_import(actor=admin, year=2027, file=csv_file("2027-01-01,2027-01-03,休,元旦"))
    case.refresh_from_db()
    assert case.resolution_due == moment(2027, 1, 5, 17, 30) and not case.deadline_uses_fallback
    assert result.changes == () and result.confirmed == 1
    assert not case.events.filter(action=RECOMPUTED).exists()


def test_a_deadline_its_timeline_does_not_explain_is_left_alone_and_named(tree, new_case, admin):
    case = dispatched(tree, new_case, moment(2026, 12, 28, 10))
    ClockPolicy.objects.filter(urgency="normal", request_type="", category=None).update(resolution_amount=Decimal(3))
    with time_machine.travel(moment(2026, 12, 29, 9), tick=False):
        result = calendar_schedule_import(actor=admin, year=2027, file=csv_file(SCHEDULE_2027))
    case.refresh_from_db()
    assert result.unexplained == (case.tracking_code,) and result.changes == ()
    assert case.resolution_due == moment(2027, 1, 5, 17, 30)


def test_finished_cases_and_passed_deadlines_are_history(tree, new_case, admin):
    case = dispatched(tree, new_case, moment(2026, 12, 28, 10))
    with time_machine.travel(moment(2026, 12, 28, 11), tick=False):
        for action in ("accept", "start"):
            case = loop.case_transition(actor=tree.people["handler"], case=case, action=action)
        loop.case_reply(actor=tree.people["handler"], case=case, outcome="resolved", text="已修复")
    with time_machine.travel(moment(2026, 12, 29, 9), tick=False):
        result = calendar_schedule_import(actor=admin, year=2027, file=csv_file(SCHEDULE_2027))
    assert result.changes == () and result.confirmed == 0
    assert Case.objects.get(pk=case.pk).resolution_due == moment(2027, 1, 5, 17, 30)
    assert not CaseEvent.objects.filter(action=RECOMPUTED).exists()


# --- the command line ----------------------------------------------------------------------------------------------


def test_the_command_loads_a_file_and_reports(tree, new_case, tmp_path):
    case = dispatched(tree, new_case, moment(2026, 12, 28, 10))
    path = tmp_path / "2027.csv"
    path.write_text(SCHEDULE_2027, encoding="gb18030")
    out = io.StringIO()
    with translation.override("en"), time_machine.travel(moment(2026, 12, 29, 9), tick=False):
        call_command("import_calendar", str(path), year=2027, stdout=out)
    text = out.getvalue()
    assert "2027: 26 days off and 1 make-up working days loaded." in text and case.tracking_code in text
    assert AuditEvent.objects.latest("seq").actor_label == "system"


def test_the_command_lists_the_row_errors(tree, tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text("2027-01-01,休,元旦\n2027-02-30,休,春节\n", encoding="utf-8")
    with (
        translation.override("en"),
        pytest.raises(CommandError, match=r"Row 2, column “Date”: 2027-02-30 is not a date"),
    ):
        call_command("import_calendar", str(path), year=2027)
    with pytest.raises(CommandError):
        call_command("import_calendar", str(tmp_path / "missing.csv"), year=2027)
    assert not CalendarDay.objects.exists()


def test_the_command_records_a_named_importer_who_must_be_allowed(tree, tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text(SCHEDULE_2027, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_calendar", str(path), year=2027, user="handler")
    call_command("import_calendar", str(path), year=2027, user="admin", stdout=io.StringIO())
    assert AuditEvent.objects.latest("seq").actor_label == "admin"
