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
from fuhe.burden.forms import DecisionForm, TaskIssueForm
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


@login_required
@require_http_methods(["GET", "POST"])
def task_new(request):
    _require(request, "burden.issue_task")
    today = timezone.localdate()
    form = TaskIssueForm(
        request.POST or None,
        user=request.user,
        duty_items=selectors.duty_item_choices(user=request.user),
        initial={"starts_on": today, "due_on": today + timedelta(days=7)},
    )
    if request.method == "POST" and form.is_valid():
        target = selectors.target_region_get(user=request.user, region_id=form.cleaned_data["target_region"])
        try:
            task = services.task_issue(actor=request.user, target_region=target, **form.service_arguments())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.info(request, _("Task registered: %(status)s.") % {"status": task.get_status_display()})
            return redirect("burden:task_detail", task_id=task.pk)
    return render(request, "burden/task_form.html", {"form": form})


@login_required
def task_detail(request, task_id: int):
    page = selectors.task_page_get(user=request.user, task_id=task_id)
    return render(
        request,
        "burden/task_detail.html",
        {
            "task": page.task,
            "flags": [(flag, charts.rule_label(flag.rule)) for flag in page.flags],
            "decisions": page.decisions,
            "fields": page.fields,
            "targets": page.targets,
            # a unit is linked only where this user may open its page (its own staff, the sender, its overseers)
            "openable": page.openable,
            "target_count": page.target_count,
            "can_decide": request.user.has_perm("burden.decide_task", page.task),
            "decision_form": DecisionForm(),
        },
    )


@login_required
@require_POST
def task_decide(request, task_id: int):
    task = selectors.task_get(user=request.user, task_id=task_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a decision and a written reason."))
    else:
        try:
            services.task_decide(
                actor=request.user, task=task, approve=form.cleaned_data["approve"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc, with_fields=False))
    return redirect("burden:task_detail", task_id=task.pk)


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
    return render(request, "burden/admission.html", {"rows": selectors.admission_counts(user=request.user)})


@login_required
def report(request):
    _require(request, "burden.view_report")
    region, choices = selectors.report_region_get(user=request.user, region_id=request.GET.get("region"))
    first, last = _period(request)
    result = reports.audit_report_for(user=request.user, region=region, first=first, last=last)
    export = request.GET.get("format")
    if export in ("xlsx", "pdf"):
        from fuhe.burden import exports

        body, content_type = (
            (exports.report_xlsx(result), exports.XLSX)
            if export == "xlsx"
            else (exports.report_pdf(result), "application/pdf")
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
