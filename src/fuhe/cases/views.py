"""Thin HTMX views of the closed loop: resident report and tracking, staff intake, worklists, case page."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fuhe.accounts.scope import scope_for
from fuhe.audit.core.masking import mask_phone, redact
from fuhe.cases import selectors
from fuhe.cases.core.lifecycle import GUARDS, Action, IllegalTransition, State
from fuhe.cases.duplicate_suggestions import duplicate_suggestions
from fuhe.cases.exports import XLSX_CONTENT_TYPE, rates_workbook, rates_workbook_name
from fuhe.cases.forms import ActionForm, RatingForm, ResidentReportForm, StaffIntakeForm, TrackForm
from fuhe.cases.knowledge import knowledge_suggestions
from fuhe.cases.labels import action_label, state_label
from fuhe.cases.metrics import GROUPINGS, on_spot_counts, rates_report, report_in_punctuality
from fuhe.cases.models import Case, Channel, DissatisfactionReason, ImportJobStatus, ReplyOutcome
from fuhe.cases.reports import metric_definitions
from fuhe.cases.rules import is_dispatcher_for
from fuhe.cases.services.actions import case_perform, dispatch_units
from fuhe.cases.services.calendar_import import CalendarImportError, calendar_schedule_import
from fuhe.cases.services.calendar_import import row_error_text as calendar_error_text
from fuhe.cases.services.clocks import calendar_years, case_intake_clock
from fuhe.cases.services.import_jobs import import_job_create, import_job_progress, import_job_start
from fuhe.cases.services.intake import (
    IdempotencyConflictError,
    IdempotencyInProgressError,
    access_secret_display,
    case_create,
    case_verify_access,
)
from fuhe.cases.services.lifecycle import case_rate, case_rating_window
from fuhe.cases.services.notify import notifications_mark_read
from fuhe.cases.services.photos import photos_attach, photos_validate
from fuhe.cases.services.privacy import case_personal_data_reveal, public_summary
from fuhe.cases.services.ticket_import import FIELDS as IMPORT_FIELDS
from fuhe.cases.services.ticket_import import column_label as import_column_label
from fuhe.cases.services.ticket_import import row_error_text as import_error_text
from fuhe.ui import ratelimit
from fuhe.ui.errors import error_text as _error_text
from fuhe.ui.htmx import render_page_or_partial
from fuhe.ui.pagination import paginate, paginate_without_count

TRACK_SESSION_KEY = "fuhe_tracked_cases"


def _tracked_codes(request) -> list[str]:
    """The tracking codes this session has proved access to (by the link's token or the phone's last digits)."""
    return request.session.get(TRACK_SESSION_KEY, [])


def _remember_access(request, case: Case) -> None:
    tracked = set(_tracked_codes(request))
    tracked.add(case.tracking_code)
    request.session[TRACK_SESSION_KEY] = sorted(tracked)


# --- residents -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def report(request):
    """The resident's report: works on a phone, needs no account, two required fields."""
    if request.method == "POST" and request.GET.get("preview"):  # what a published summary would show (HTMX)
        summary = public_summary(
            text=request.POST.get("text", "")[:4000], address=request.POST.get("address", "")[:200]
        )
        return render(request, "cases/partials/publish_preview.html", {"summary": summary})
    form = ResidentReportForm(request.POST or None, initial={"submission_id": uuid.uuid4().hex})
    if request.method == "POST" and (wait := ratelimit.check(request, "report")):
        # a burst from one address: refused with the time to wait, and the form keeps what was typed
        form.add_error(
            None,
            _("Too many reports from this connection. Please try again in %(seconds)s seconds.") % {"seconds": wait},
        )
        return render(request, "cases/report.html", {"form": form, "map_tiles": settings.FUHE_MAP_TILE_URL}, status=429)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            photos = photos_validate(request.FILES.getlist("photos"))
            intake = case_create(
                actor=request.user,
                channel=Channel.WEB,
                text=data["text"],
                address=data["address"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                reporter_phone=data["phone"] or "",
                is_public=data["is_public"],
                idempotency_key=f"web:{data['submission_id']}",
            )
        except (IdempotencyConflictError, IdempotencyInProgressError, ValidationError) as exc:
            form.add_error(None, _error_text(exc))
        else:
            if intake.created:
                photos_attach(case=intake.case, checked=photos)
            else:  # the same form sent twice (a double tap, a retry after a lost answer): the case it made
                messages.info(
                    request,
                    _("This report was already received: it is case %(code)s, shown below. Nothing was sent twice.")
                    % {"code": intake.case.tracking_code},
                )
            _remember_access(request, intake.case)
            if intake.access_token:
                request.session[f"token:{intake.case.tracking_code}"] = intake.access_token
            return redirect("cases:track_case", code=intake.case.tracking_code)
    summary = public_summary(text=form["text"].value() or "", address=form["address"].value() or "")
    return render(
        request, "cases/report.html", {"form": form, "map_tiles": settings.FUHE_MAP_TILE_URL, "summary": summary}
    )


@require_http_methods(["GET", "POST"])
def track(request):
    form = TrackForm(request.POST or None)
    if request.method == "POST" and (wait := ratelimit.check(request, "track")):
        form.add_error(
            None,
            _("Too many look-ups from this connection. Please try again in %(seconds)s seconds.") % {"seconds": wait},
        )
        return render(request, "cases/track.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip().upper()
        # four digits are guessed in at most 10,000 tries: a code is locked after a few wrong ones, from any address
        # (a wrong query password counts as a wrong try too)
        if wait := ratelimit.waiting("track_failures", f"code:{code}"):
            minutes = -(-wait // 60)
            form.add_error(
                None,
                _("Too many wrong tries for this code. Please try again in %(minutes)s minutes.")
                % {"minutes": minutes},
            )
            return render(request, "cases/track.html", {"form": form}, status=429)
        case = selectors.case_find(tracking_code=code)
        given = {"phone_last4": form.cleaned_data["phone_last4"], "password": form.cleaned_data["password"]}
        if case and case_verify_access(case=case, **given):
            _remember_access(request, case)
            return redirect("cases:track_case", code=case.tracking_code)
        ratelimit.hit("track_failures", f"code:{code}")
        form.add_error(None, _("No case matches this code with these phone digits or this query password."))
    return render(request, "cases/track.html", {"form": form})


def _tracked_case(request, code: str) -> Case:
    """The case behind ``code`` if this session tracks it; the link's token (``?t=``) adds it to the session."""
    token = request.GET.get("t", "")
    if token:
        case = selectors.case_find(tracking_code=code)
        if case and case_verify_access(case=case, token=token):
            _remember_access(request, case)
    return selectors.tracked_case_get(code=code, tracked_codes=_tracked_codes(request))


@require_http_methods(["GET", "POST"])
def track_case(request, code: str):
    case = _tracked_case(request, code)
    window = case_rating_window(case)
    rating = RatingForm(request.POST or None)
    if request.method == "POST" and case.state in (State.REPLIED, State.CLOSED) and rating.is_valid():
        try:
            case_rate(
                actor=request.user,
                case=case,
                resolved=rating.cleaned_data["resolved"],
                satisfied=rating.cleaned_data["satisfied"],
                reasons=rating.cleaned_data["reasons"],
                comment=rating.cleaned_data["comment"],
            )
        except (IllegalTransition, ValidationError) as exc:
            messages.error(request, _error_text(exc, with_fields=False))
        else:
            messages.success(request, _("Thank you. Your rating was recorded."))
        return redirect("cases:track_case", code=case.tracking_code)
    token = request.session.pop(f"token:{case.tracking_code}", None)
    link = (
        request.build_absolute_uri(reverse("cases:track_case", args=[case.tracking_code])) + f"?t={token}"
        if token
        else None
    )
    events = list(selectors.case_timeline(case=case, public_only=True))
    closed_unrated = case.state == State.CLOSED and any(event.action == Action.CLOSE_UNRATED for event in events)
    return render(
        request,
        "cases/track_case.html",
        {
            "case": case,
            "photos": case.photos.all(),
            "rating": rating,
            "events": events,
            "link": link,
            "password": access_secret_display(token),
            "can_rate": case.state == State.REPLIED and not window.is_over,
            "rate_by": window.deadline,
            "rating_ended": closed_unrated or (case.state == State.REPLIED and window.is_over),
        },
    )


# --- staff ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def intake(request, channel: str = Channel.HOTLINE):
    if not scope_for(request.user).case_ranges and not scope_for(request.user).is_global:
        raise Http404("No intake here")
    regions = selectors.intake_region_list(user=request.user)
    initial = {"submission_id": uuid.uuid4().hex}
    if channel == Channel.PATROL and regions:
        initial["region"] = regions[0][0]
    form = StaffIntakeForm(request.POST or None, regions=regions, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        region = selectors.intake_region_get(user=request.user, region_id=data["region"]) if data["region"] else None
        try:
            result = case_create(
                actor=request.user,
                channel=channel,
                text=data["text"],
                title=data["title"],
                address=data["address"],
                region=region,
                category=data["category"],
                request_type=data["request_type"],
                urgency=data["urgency"],
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"] or "",
                is_proactive=channel == Channel.PATROL,
                is_public=data["is_public"],
                idempotency_key=f"staff:{data['submission_id']}",
            )
        except (IdempotencyConflictError, IdempotencyInProgressError, ValidationError) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("Case %(code)s received.") % {"code": result.case.tracking_code})
            return redirect("cases:detail", case_id=result.case.pk)
    return render(
        request, "cases/intake.html", {"form": form, "channel": channel, "is_patrol": channel == Channel.PATROL}
    )


def _filters(request) -> selectors.CaseFilters:
    def number(name):
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() else None

    state = request.GET.get("state", "open")
    if state not in ("open", "") and state not in {s.value for s in State}:
        state = "open"
    return selectors.CaseFilters(
        state=state,
        category_id=number("category"),
        region_id=number("region"),
        overdue=request.GET.get("overdue") == "1",
        mine=request.GET.get("mine") == "1",
        query=request.GET.get("q", "")[:60],
        order=request.GET.get("order", "deadline"),
    )


def _queue_filters(request) -> selectors.QueueFilters:
    """The queue's sort and filters from the URL; an unknown value is ignored (the default applies)."""
    category = request.GET.get("category", "")
    channel = request.GET.get("channel", "")
    order = request.GET.get("order", "received")
    return selectors.QueueFilters(
        order=order if order in selectors.QUEUE_ORDERINGS else "received",
        overdue=request.GET.get("overdue") == "1",
        category_id=int(category) if category.isdigit() else None,
        channel=channel if channel in Channel.values else "",
        repeat=request.GET.get("repeat") == "1",
        no_dispatcher=request.GET.get("no_dispatcher") == "1",
    )


@login_required
def worklist(request, queue: bool = False):
    filters = _filters(request)
    queue_filters = _queue_filters(request) if queue else None
    cases = (
        selectors.dispatch_queue_list(user=request.user, filters=queue_filters)
        if queue_filters is not None
        else selectors.case_list(user=request.user, filters=filters)
    )
    page = paginate_without_count(request, cases)
    kept = request.GET.copy()  # the filters stay in the pager's links (and so in the URL)
    kept.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "queue": queue,
        "queue_filters": queue_filters,
        "queue_categories": selectors.dispatch_queue_categories(user=request.user) if queue else [],
        "channels": Channel.choices,
        "page_query": kept.urlencode(),
        "bulk_units": _bulk_units(page) if queue else [],
        "states": [(s.value, state_label(s)) for s in State],
        "query": filters.query,
    }
    return render_page_or_partial(
        request, page="cases/worklist.html", partial="cases/partials/case_rows.html", context=context
    )


def _bulk_units(page) -> list[tuple[str, list]]:
    """The units the queue's cases can go to, grouped by kind, so the dispatcher picks a name, never a number
    (the district of the first case; a case of another district is refused by name when dispatched)."""
    cases = list(page.object_list)
    if not cases:
        return []
    groups: dict[str, list] = {}
    for unit in dispatch_units(cases[0])[:1000]:
        groups.setdefault(unit.get_kind_display(), []).append(unit)
    return sorted(groups.items())


@login_required
@require_POST
def bulk_dispatch(request):
    unit_id = request.POST.get("unit", "").strip()
    if not unit_id:  # no unit is ever chosen for the dispatcher: an empty choice is refused by name
        messages.error(request, _("Dispatch to: choose a unit from the list; none is chosen for you."))
        return redirect("cases:queue")
    done, failed = 0, []
    for case_id in request.POST.getlist("case")[:200]:
        case = selectors.case_get(user=request.user, case_id=case_id)
        try:
            case_perform(actor=request.user, case=case, action="dispatch", unit=unit_id)
            done += 1
        except (IllegalTransition, ValidationError, PermissionDenied) as exc:
            failed.append(f"{case.tracking_code}: {_error_text(exc)}")
    if done:
        messages.success(request, _("%(n)d case(s) dispatched.") % {"n": done})
    for failure in failed:
        messages.error(request, failure)
    return redirect("cases:queue")


REASON_OPTIONAL = {Action.URGE, Action.SUPERVISE}


def _action_buttons(actions: list[str]) -> list[dict]:
    buttons = []
    for value in actions:
        action = Action(value)
        needs_reason = any(g.needs_input for g in GUARDS.get(action, ())) or action in REASON_OPTIONAL
        buttons.append({"value": value, "label": action_label(action), "needs_reason": needs_reason})
    return buttons


@login_required
def detail(request, case_id: int):
    case = selectors.case_get(user=request.user, case_id=case_id)
    can_see_reporter = request.user.has_perm("cases.view_reporter", case)
    actions = _action_buttons(selectors.case_actions(user=request.user, case=case))
    can_answer = any(button["value"] == "answer_directly" for button in actions)
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "events": selectors.case_timeline(case=case),
            "region_path": selectors.case_region_path(case=case),
            "photos": case.photos.all(),
            "actions": actions,
            "knowledge": knowledge_suggestions(case=case) if can_answer else [],
            "units": dispatch_units(case),
            "intake": case_intake_clock(case),  # the dispatch limit while the case waits for its dispatch
            "report_ins": selectors.open_report_ins(case=case),
            "my_units": scope_for(request.user).unit_ids,
            "can_whistle": request.user.has_perm("cases.whistle", case),
            "can_see_reporter": can_see_reporter,  # the full phone and text are one audited click away
            "reporter_phone": mask_phone(case.reporter_phone),
            "caller_cases": selectors.caller_cases(user=request.user, case=case) if can_see_reporter else [],
            "text_is_redacted": redact(case.text) != case.text,
            "outcomes": ReplyOutcome.choices,
            "dissatisfaction_reasons": DissatisfactionReason.choices,
            "can_follow_up": case.state == State.REPLIED
            and not case_rating_window(case).is_over
            and request.user.has_perm("cases.follow_up", case),
            "duplicates": duplicate_suggestions(user=request.user, case=case)
            if request.user.has_perm("cases.dispatch") and State(case.state) in (State.RECEIVED, State.RETURNED)
            else [],
        },
    )


@login_required
@require_POST
def reveal(request, case_id: int, field: str):
    """The reporter's full phone or the case's full text, for those who may see the reporter: recorded in the audit
    log. Others get the same 404 as for a case they cannot see."""
    case = selectors.case_get(user=request.user, case_id=case_id)
    try:
        value = case_personal_data_reveal(actor=request.user, case=case, field=field)
    except (PermissionDenied, ValidationError):
        raise Http404("No such case") from None
    return render(request, "cases/partials/revealed.html", {"value": value, "field": field})


@login_required
@require_POST
def act(request, case_id: int):
    case = selectors.case_get(user=request.user, case_id=case_id)
    form = ActionForm(request.POST)
    form.fields["departments"].choices = [(u.pk, u.name) for u in dispatch_units(case)]
    if not form.is_valid():
        messages.error(request, _error_text(ValidationError(form.errors)))
        return redirect("cases:detail", case_id=case.pk)
    data = form.cleaned_data
    try:
        case_perform(
            actor=request.user,
            case=case,
            action=data["action"],
            reason=data["reason"],
            unit=data["unit"],
            outcome=data["outcome"],
            text=data["text"],
            days=data["days"],
            into=data["into"],
            departments=data["departments"],
            report_in=request.POST.get("report_in"),
            resolved=data["resolved"],
            satisfied=data["satisfied"],
            reasons=data["reasons"],
        )
    except (IllegalTransition, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Done."))
    return redirect("cases:detail", case_id=case.pk)


@login_required
def notifications(request):
    page = paginate(request, selectors.notification_list(user=request.user))
    notifications_mark_read(user=request.user)
    return render(request, "cases/notifications.html", {"page": page})


@login_required
def rates(request):
    by = request.GET.get("by", "unit") if request.GET.get("by") in GROUPINGS else "unit"
    days = int(request.GET["days"]) if request.GET.get("days", "").isdigit() else 30
    days = min(max(days, 1), 366)
    report = rates_report(user=request.user, by=by, days=days)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{rates_workbook_name(report=report)}"'
        rates_workbook(report=report).save(response)
        return response
    return render(
        request,
        "cases/rates.html",
        {
            "rows": report.rows,
            "specs": report.specs,
            "by": by,
            "days": days,
            "groupings": GROUPINGS,
            "chart": report.chart,
            "report_ins": report_in_punctuality(user=request.user, days=days),
            "on_spot": on_spot_counts(user=request.user, days=days),
        },
    )


def metrics_doc(request):
    """docs/metrics.md as a page, so every figure can link to its definition (#response-rate …)."""
    return render(request, "cases/metrics_doc.html", {"blocks": metric_definitions()})


# --- bulk import of hotline tickets --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    if not request.user.has_perm("cases.dispatch"):
        raise Http404("No imports here")
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose a CSV or Excel (.xlsx) file.")
        else:
            try:
                job = import_job_create(actor=request.user, upload=upload)
            except ValidationError as exc:
                error = _error_text(exc)
            else:
                return redirect("cases:import_job", job_id=job.pk)
    jobs = selectors.import_job_list(user=request.user)
    context = {"error": error, "jobs": jobs, "max_rows": f"{settings.FUHE_IMPORT_MAX_ROWS:,}"}
    return render(request, "cases/import_upload.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def import_job(request, job_id: int):
    job = selectors.import_job_get(user=request.user, job_id=job_id)
    error = ""
    if request.method == "POST":
        mapping = None  # resume: the mapping the job started with
        if "resume" not in request.POST:
            mapping = {field: request.POST.get(f"map_{field}", "") for field in IMPORT_FIELDS}
        try:
            job = import_job_start(actor=request.user, job=job, mapping=mapping)
        except ValidationError as exc:
            error = _error_text(exc)
        else:
            return redirect("cases:import_job", job_id=job.pk)
    context = {
        "job": job,
        "fields": [(field, import_column_label(field)) for field in IMPORT_FIELDS],
        "error": error,
        "errors": [import_error_text(line) for line in job.errors],
        "processed": import_job_progress(job),
        "is_active": job.status in (ImportJobStatus.QUEUED, ImportJobStatus.RUNNING) and not job.is_stalled,
    }
    return render_page_or_partial(
        request, page="cases/import_job.html", partial="cases/partials/import_progress.html", context=context
    )


def photo(request, photo_id: int):
    """A case photo, for staff who may see the case or the resident tracking it in this session."""
    item = selectors.case_photo_get(user=request.user, photo_id=photo_id, tracked_codes=_tracked_codes(request))
    response = FileResponse(item.image.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the official holiday schedule ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def calendar_import(request):
    """Load a year's official holiday schedule (district administrators): the years' sources, the upload, the result."""
    if not request.user.has_perm("cases.import_calendar"):
        raise Http404("No calendar here")
    years = calendar_years()
    errors: list[str] = []
    result = None
    year = request.POST.get("year", "").strip() or next((y.year for y in years if not y.is_known), years[-1].year)
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError({"file": _("choose a .csv, .txt or .xlsx file")})
            result = calendar_schedule_import(
                actor=request.user,
                year=year,
                file=upload,
                filename=upload.name,
                replace=bool(request.POST.get("replace")),
            )
        except CalendarImportError as exc:
            errors = [calendar_error_text(error) for error in exc.errors]
        except ValidationError as exc:
            errors = [_error_text(exc)]
        else:
            years = calendar_years()
    context = {"years": years, "year": year, "errors": errors, "result": result}
    return render(request, "cases/calendar_import.html", context)


@login_required
def unit_search(request):
    """The dispatch picker's search (HTMX): the units a case may be dispatched to whose name holds the typed words,
    recommended first (``recommended``: the ids the picker shows as such), then the case's street's, then the
    district's departments. Only the case's dispatcher asks; for anyone else the case is missing (404)."""
    case = selectors.case_get(user=request.user, case_id=request.GET.get("case"))
    if not is_dispatcher_for(request.user, case):
        raise Http404("No such case")
    recommended = [int(value) for value in request.GET.getlist("recommended")[:5] if value.isdigit()]
    found, total = selectors.dispatch_unit_search(
        case=case, units=dispatch_units(case), query=request.GET.get("q", "")[:60], recommended=recommended
    )
    context = {"found": found, "total": total, "picker": request.GET.get("picker", "unit")[:40]}
    return render(request, "cases/partials/unit_options.html", context)


# --- patrol (巡查): a grid worker's findings, fixed on the spot or reported ---------------------------------------


def _patrol_regions(request) -> tuple[list[tuple[int, str]], int | None]:
    """The grids (and communities) a finding may be placed in, and the one preselected: the user's own grid."""
    regions = selectors.intake_region_list(user=request.user)
    ids = [region_id for region_id, _name in regions]
    own = [region_id for region_id in scope_for(request.user).home_region_ids if region_id in ids]
    return regions, (own[0] if own else (ids[0] if ids else None))


@login_required
@require_http_methods(["GET", "POST"])
def patrol(request):
    """The patrol page on a phone: what was found (a tap), an optional photo and note, the own grid preselected,
    then "fixed on the spot" (closed, counted as 就地解决) or "needs reporting" (the normal loop)."""
    from fuhe.cases.metrics import patrol_categories, patrol_category_choices
    from fuhe.cases.services.patrol import case_report_from_patrol, case_resolve_on_spot, patrol_finding_check

    if not request.user.has_perm("cases.patrol"):
        raise Http404("No patrol here")
    regions, preselected = _patrol_regions(request)
    may_fix = request.user.has_perm("cases.fix_on_spot")
    errors: dict[str, list[str]] = {}
    data = request.POST
    if request.method == "POST":
        outcome = data.get("outcome", "")
        if outcome not in ("on_spot", "report") or (outcome == "on_spot" and not may_fix):
            errors["outcome"] = [_("choose “fixed on the spot” or “needs reporting”")]
        region = selectors.intake_region_get(user=request.user, region_id=data.get("region") or preselected)
        category_id = data.get("category", "")
        if category_id in ("", "other"):
            category_id = data.get("category_other", "")
        try:
            photos = photos_validate(request.FILES.getlist("photos"))
            finding = patrol_finding_check(
                region=region,
                category_id=category_id,
                note=data.get("note", ""),
                photos=photos,
                submission_id=data.get("submission_id", ""),
            )
            if errors:
                raise ValidationError(errors)
            service = case_resolve_on_spot if outcome == "on_spot" else case_report_from_patrol
            case = service(actor=request.user, finding=finding)
        except ValidationError as exc:
            errors = {**errors, **exc.message_dict} if hasattr(exc, "message_dict") else {"__all__": exc.messages}
        except (IdempotencyConflictError, IdempotencyInProgressError, PermissionDenied) as exc:
            errors = {"__all__": [str(exc)]}
        else:
            return redirect("cases:patrol_done", case_id=case.pk)
    context = {
        "regions": regions,
        "region_id": int(data["region"]) if data.get("region", "").isdigit() else preselected,
        "quick": patrol_categories(user=request.user),
        "categories": patrol_category_choices(),
        "chosen": data.get("category", ""),
        "chosen_other": data.get("category_other", ""),
        "note": data.get("note", ""),
        "may_fix": may_fix,
        "errors": errors,
        "submission_id": uuid.uuid4().hex if request.method == "GET" else data.get("submission_id", ""),
        "max_photos": settings.FUHE_MAX_PHOTOS,
    }
    return render(request, "cases/patrol.html", context, status=400 if errors else 200)


@login_required
def patrol_done(request, case_id: int):
    """The confirmation after a patrol finding: closed on the spot, or received for dispatch."""
    case = selectors.case_get(user=request.user, case_id=case_id)
    context = {"case": case, "fixed": case.state == State.CLOSED, "photos": case.photos.count()}
    return render(request, "cases/patrol_done.html", context)


@login_required
def spot_checks(request):
    """The street's spot checks (抽查): the on-spot fixes drawn at random, to confirm or send into the loop."""
    from fuhe.cases.metrics import spot_checks_pending

    if not request.user.has_perm("cases.dispatch"):
        raise Http404("No spot checks here")
    page = paginate(request, spot_checks_pending(user=request.user))
    return render(request, "cases/patrol_spot_checks.html", {"page": page})


@login_required
@require_POST
def spot_check(request, case_id: int):
    from fuhe.cases.services.patrol import case_spot_check

    case = selectors.case_get(user=request.user, case_id=case_id)
    decision = request.POST.get("decision", "")
    try:
        if decision not in ("confirm", "reopen"):
            raise ValidationError({"decision": _("choose “confirmed” or “not fixed”")})
        case = case_spot_check(
            actor=request.user, case=case, confirmed=decision == "confirm", reason=request.POST.get("reason", "")
        )
    except (IllegalTransition, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        if decision == "confirm":
            messages.success(request, _("Case %(code)s: the on-spot fix is confirmed.") % {"code": case.tracking_code})
        else:
            messages.success(
                request,
                _("Case %(code)s is back in the dispatch queue.") % {"code": case.tracking_code},
            )
    return redirect("cases:spot_checks")
