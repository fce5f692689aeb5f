"""Thin HTMX views of burden metering: registry, gate, forms, load, report."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fuhe.burden import charts, reports, selectors, services
from fuhe.burden.core.load import week_start
from fuhe.burden.forms import START_OF_DAY, DecisionForm, TaskIssueForm, at_local, initial_from
from fuhe.burden.models import TaskKind
from fuhe.ui.errors import error_text
from fuhe.ui.htmx import is_htmx, render_page_or_partial
from fuhe.ui.pagination import paginate

EFFORT_TAPS = (10, 20, 30, 60, 120, 240)


SERVICE_TO_FORM_FIELD = {
    "starts_at": "starts_on",
    "due_at": "due_on",
    "fields": "catalogue_items",
    "evidence": "evidence",
    "duty_item_code": "duty_item_code",
    "previous": None,
}


def _form_errors(form, exc: ValidationError) -> None:
    """A service's refusal shown next to the field it concerns (or above the form)."""
    if not hasattr(exc, "message_dict"):
        form.add_error(None, error_text(exc, with_fields=False))
        return
    for key, errors in exc.message_dict.items():
        name = SERVICE_TO_FORM_FIELD.get(key, key)
        form.add_error(name if name in form.fields else None, errors)


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


@login_required
def home(request):
    _require(request, "burden.view_registry")
    user = request.user
    # what still waits comes first (a form not yet submitted), then the latest deadlines
    inbox = selectors.inbox(user=user, waiting_first=True)
    context = {
        "sent": selectors.sent_task_list(user=user)[:15],
        "may_send": user.has_perm("burden.issue_task"),
        "inbox": paginate(request, inbox, per_page=25),
        "refused_for_units": selectors.refused_for_units(user=user),
        "pending": selectors.pending_approvals(user=user)[:30],
        "bypasses": selectors.bypass_list(user=user)[:30],
        "now": timezone.now(),
    }
    return render(request, "burden/home.html", context)


def _task_form(request) -> tuple[TaskIssueForm, object]:
    """The task form, bound to the POST or filled in: from a refused request to edit (``?from=``), otherwise
    with the earliest start date that gives the approving body its notice (N working days)."""
    data = request.POST or None
    previous = None
    previous_id = request.POST.get("previous") or request.GET.get("from")
    if previous_id:
        previous = selectors.resend_source_get(user=request.user, task_id=previous_id)
    form = TaskIssueForm(data, user=request.user, duty_items=selectors.duty_item_choices(user=request.user))
    if data is None:
        choices = form.fields["target_region"].choices
        region_id = choices[0][0] if choices else None
        earliest = selectors.earliest_admissible_start(region_id=previous.target_region_id if previous else region_id)
        form.initial = (
            initial_from(previous, earliest_start=earliest)
            if previous
            else {"starts_on": earliest, "due_on": earliest + timedelta(days=7)}
        )
    return form, previous


@login_required
@require_http_methods(["GET", "POST"])
def task_new(request):
    _require(request, "burden.issue_task")
    form, previous = _task_form(request)
    if request.method == "POST" and form.is_valid():
        target = selectors.target_region_get(user=request.user, region_id=form.cleaned_data["target_region"])
        try:
            task = services.task_issue(
                actor=request.user, target_region=target, previous=previous, **form.service_arguments()
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.info(request, _("Task registered: %(status)s.") % {"status": task.get_status_display()})
            return redirect("burden:task_detail", task_id=task.pk)
    check = _gate_check(request.user, form) if form.is_bound else None
    return render(request, "burden/task_form.html", {"form": form, "previous": previous, "check": check})


def _gate_check(user, form: TaskIssueForm):
    """The gate's answer for the form as it stands, or None while the region or the start date is missing."""
    form.is_valid()
    data = form.cleaned_data
    if not data.get("target_region") or not data.get("starts_on") or not data.get("target_level"):
        return None
    region = selectors.target_region_get(user=user, region_id=data["target_region"])
    return services.task_admission_check(
        target_region=region,
        target_level=data["target_level"],
        kind=data.get("kind") or TaskKind.OTHER,
        title=data.get("title", ""),
        content=data.get("content", ""),
        duty_item_code=data.get("duty_item_code", ""),
        lead_unit_name=data.get("lead_unit_name", ""),
        resources=data.get("resources", ""),
        approval_reason=data.get("approval_reason", ""),
        starts_at=at_local(data["starts_on"], START_OF_DAY),
        evidence=data.get("evidence") or (),
    )


@login_required
@require_POST
def task_check(request):
    """HTMX, as the sender edits: will the request be admitted, refused or need a decision, and why."""
    _require(request, "burden.issue_task")
    form = TaskIssueForm(request.POST, user=request.user, duty_items=selectors.duty_item_choices(user=request.user))
    return render(request, "burden/partials/gate_check.html", {"check": _gate_check(request.user, form)})


@login_required
def task_detail(request, task_id: int):
    return _task_detail_page(request, task_id, DecisionForm())


def _task_detail_page(request, task_id: int, decision_form: DecisionForm, status: int = 200):
    page = selectors.task_page_get(user=request.user, task_id=task_id)
    return render(
        request,
        "burden/task_detail.html",
        status=status,
        context={
            "task": page.task,
            "flags": [(flag, charts.rule_label(flag.rule)) for flag in page.flags],
            "decisions": page.decisions,
            "fields": page.fields,
            "targets": page.targets,
            # a unit is linked only where this user may open its page (its own staff, the sender, its overseers)
            "openable": page.openable,
            "target_count": page.target_count,
            "can_decide": request.user.has_perm("burden.decide_task", page.task),
            "decision_form": decision_form,
            "versions": page.versions,
            "may_resend": page.may_resend,
        },
    )


@login_required
@require_POST
def task_decide(request, task_id: int):
    task = selectors.task_get(user=request.user, task_id=task_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.task_decide(
                actor=request.user, task=task, approve=form.cleaned_data["approve"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("burden:task_detail", task_id=task.pk)
    # the refusal is shown next to the field it concerns, with what was typed kept
    return _task_detail_page(request, task.pk, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def target_detail(request, target_id: int):
    target = selectors.target_get(user=request.user, target_id=target_id)
    task = target.task
    fields = selectors.form_field_list(task=task)
    error = ""
    posted: dict[int, str] = {}
    if request.method == "POST":
        if not request.user.has_perm("burden.answer_task", target):
            raise PermissionDenied
        posted = {f.pk: request.POST.get(f"field-{f.pk}", "") for f in fields}
        minutes = request.POST.get("minutes") or None
        try:
            services.form_submit(
                actor=request.user, target=target, answers=posted, minutes=float(minutes) if minutes else None
            )
        except (ValidationError, ValueError) as exc:
            error = error_text(exc, with_fields=False)
        else:
            messages.info(request, _("Form submitted. Thank you."))
            return redirect("burden:target_detail", target_id=target.pk)
    form = selectors.target_form_get(target=target, fields=fields, posted=posted)
    return render(
        request,
        "burden/target.html",
        {
            "target": target,
            "task": task,
            "rows": form.rows,
            "is_form": task.kind == TaskKind.FORM,
            "prefilled": form.prefilled,
            "can_answer": request.user.has_perm("burden.answer_task", target),
            "taps": EFFORT_TAPS,
            "error": error,
            "bypass": form.bypass,
        },
    )


@login_required
@require_POST
def target_effort(request, target_id: int):
    """One tap: how long it took. Optional; answers with the updated partial for HTMX."""
    target = selectors.target_get(user=request.user, target_id=target_id)
    error = ""
    try:
        target = services.effort_record(actor=request.user, target=target, minutes=float(request.POST["minutes"]))
    except ValidationError as exc:
        error = error_text(exc, with_fields=False)
    except (ValueError, KeyError):
        error = _("Give the minutes the task took (up to a day).")
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        return redirect("burden:target_detail", target_id=target.pk)
    # HTMX swaps only 2xx answers: a refused tap comes back as the partial with the reason shown
    return render(request, "burden/partials/effort.html", {"target": target, "taps": EFFORT_TAPS, "error": error})


@login_required
@require_POST
def target_bypass(request, target_id: int):
    target = selectors.target_get(user=request.user, target_id=target_id)
    try:
        services.bypass_declare(actor=request.user, target=target, emergency=request.POST.get("emergency", ""))
    except ValidationError as exc:
        messages.error(request, error_text(exc, with_fields=False))
    return redirect("burden:target_detail", target_id=target.pk)


@login_required
@require_POST
def bypass_file(request, bypass_id: int):
    bypass = selectors.bypass_get(user=request.user, bypass_id=bypass_id)
    try:
        services.bypass_file(actor=request.user, bypass=bypass, explanation=request.POST.get("explanation", ""))
    except ValidationError as exc:
        messages.error(request, error_text(exc, with_fields=False))
    return redirect("burden:target_detail", target_id=bypass.target_id)


# --- load and report --------------------------------------------------------------------------------------


def _period(request) -> tuple[date, date]:
    today = timezone.localdate()
    try:
        last = date.fromisoformat(request.GET["last"]) if request.GET.get("last") else week_start(today) + timedelta(6)
        first = (
            date.fromisoformat(request.GET["first"])
            if request.GET.get("first")
            else week_start(last) - timedelta(weeks=12)
        )
    except ValueError:
        raise Http404("Bad date") from None
    if first > last or (last - first).days > 400:
        raise Http404("Bad period")
    return first, last


@login_required
def load(request):
    _require(request, "burden.view_load")
    region, choices = selectors.report_region_get(user=request.user, region_id=request.GET.get("region"))
    first, last = _period(request)
    result = reports.load_for(user=request.user, region=region, first=first, last=last)
    context = {
        "result": result,
        "region": region,
        "choices": choices,
        "first": first,
        "last": last,
        "chart": charts.load_chart(result),
    }
    return render_page_or_partial(
        request, page="burden/load.html", partial="burden/partials/load_table.html", context=context
    )


@login_required
def admission(request):
    _require(request, "burden.view_registry")
    return render(
        request,
        "burden/admission.html",
        {"rows": selectors.admission_counts(user=request.user), "late": selectors.late_filing_list(user=request.user)},
    )


@login_required
def report(request):
    _require(request, "burden.view_report")
    region, choices = selectors.report_region_get(user=request.user, region_id=request.GET.get("region"))
    first, last = _period(request)
    result = reports.audit_report_for(user=request.user, region=region, first=first, last=last)
    export = request.GET.get("format")
    if export in ("xlsx", "pdf"):
        from fuhe.burden import exports

        try:
            body, content_type = (
                (exports.report_xlsx(result), exports.XLSX)
                if export == "xlsx"
                else (exports.report_pdf(result), "application/pdf")
            )
        except exports.MissingFontError:
            # never a 500: say why and offer the workbook, which needs no font
            query = request.GET.copy()
            query["format"] = "xlsx"
            return render(
                request,
                "burden/export_unavailable.html",
                {"xlsx_query": query.urlencode(), "region": region},
                status=503,
            )
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="burden-audit-{region.code}-{first}-{last}.{export}"'
        return response
    rules = charts.report_rules(result)
    return render(
        request,
        "burden/report.html",
        {
            "report": result,
            "region": region,
            "choices": choices,
            "first": first,
            "last": last,
            "rules": rules,
            "chart": charts.report_chart(result, rules),
        },
    )


@login_required
def catalogue(request):
    _require(request, "burden.view_registry")
    return render(request, "burden/catalogue.html", {"items": selectors.catalogue_list()})
