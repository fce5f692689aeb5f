"""Thin HTMX views of burden metering: registry, gate, forms, load, report."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from fuhe.accounts.scope import scope_for
from fuhe.burden import reports, selectors, services
from fuhe.burden.catalogue import prefill_for
from fuhe.burden.core.flags import RULES
from fuhe.burden.core.load import week_start
from fuhe.burden.forms import DecisionForm, TaskIssueForm
from fuhe.burden.models import DataSource, DataValue, EmergencyBypass, TaskKind
from fuhe.org.models import Region
from fuhe.ui.errors import error_text
from fuhe.ui.htmx import is_htmx, render_page_or_partial
from fuhe.ui.pagination import paginate

EFFORT_TAPS = (10, 20, 30, 60, 120, 240)
RULE_LABELS = {
    "trace_evidence": gettext_lazy("photos, check-ins or traces as proof"),
    "forbidden_metric": gettext_lazy("online time, likes, study time or app installs"),
    "ranking": gettext_lazy("ranking or appraisal"),
    "pledge": gettext_lazy("pledge or responsibility letter"),
    "duplicate_collection": gettext_lazy("data the catalogue already holds"),
    "same_content": gettext_lazy("same content from several departments"),
    "short_deadline": gettext_lazy("deadline too short"),
    "rest_day_deadline": gettext_lazy("deadline on a rest day"),
    "frequent_recurrence": gettext_lazy("recurs too often"),
}


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


def _duty_items(user):
    from fuhe.duties.selectors import duty_items_search, duty_list_in_force

    for region in selectors.region_choices(user)[:1]:
        duty_list = duty_list_in_force(region_id=region.pk)
        if duty_list is not None:
            return list(duty_items_search(duty_list=duty_list).order_by("code"))
    return []


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


@login_required
def home(request):
    _require(request, "burden.view_registry")
    user = request.user
    units = sorted(scope_for(user).unit_ids)
    # what still waits comes first (a form not yet submitted), then the latest deadlines
    inbox = selectors.inbox(user=user).order_by(F("submitted_at").desc(nulls_first=True), "-task__due_at", "pk")
    context = {
        "sent": selectors.task_list(user=user).filter(sender_id__in=units)[:15],
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
        duty_items=_duty_items(request.user),
        initial={"starts_on": today, "due_on": today + timedelta(days=7)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            region = selectors.region_choices(request.user)
            target = next((r for r in region if r.pk == form.cleaned_data["target_region"]), None)
            if target is None:
                raise Http404
            task = services.task_issue(actor=request.user, target_region=target, **form.service_arguments())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.info(request, _("Task registered: %(status)s.") % {"status": task.get_status_display()})
            return redirect("burden:task_detail", task_id=task.pk)
    return render(request, "burden/task_form.html", {"form": form})


@login_required
def task_detail(request, task_id: int):
    task = selectors.task_get(user=request.user, task_id=task_id)
    targets = task.targets.select_related("unit").order_by("unit__region_id", "pk")
    shown = list(targets[:100])
    # a unit is linked only where this user may open its page (its own staff, the sender, those overseeing it)
    openable = set(
        selectors.target_queryset(request.user).filter(pk__in=[t.pk for t in shown]).values_list("pk", flat=True)
    )
    return render(
        request,
        "burden/task_detail.html",
        {
            "task": task,
            "flags": [(flag, RULE_LABELS.get(flag.rule, flag.rule)) for flag in task.flags.all()],
            "decisions": task.decisions.select_related("decided_by"),
            "fields": task.fields.select_related("item"),
            "targets": shown,
            "openable": openable,
            "target_count": targets.count(),
            "can_decide": request.user.has_perm("burden.decide_task", task),
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
    fields = list(task.fields.select_related("item"))
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
    rows = _form_rows(target, fields, posted)
    return render(
        request,
        "burden/target.html",
        {
            "target": target,
            "task": task,
            "rows": rows,
            "is_form": task.kind == TaskKind.FORM,
            "prefilled": target.fields_prefilled
            if target.submitted_at
            else sum(r["state"] == "prefilled" for r in rows),
            "can_answer": request.user.has_perm("burden.answer_task", target),
            "taps": EFFORT_TAPS,
            "error": error,
            "bypass": EmergencyBypass.objects.filter(target=target).first(),
        },
    )


def _source_label(source: str) -> str:
    try:
        return str(DataSource(source).label)
    except ValueError:
        return source


def _form_rows(target, fields, posted: dict[int, str]) -> list[dict]:
    """Each field with what the platform knows, what the unit entered and its state: ``prefilled`` / ``asked``
    before the unit answers; ``entered`` / ``confirmed`` (a prefilled value left as it was) afterwards."""
    items = [f.item for f in fields if f.item]
    known = (
        dict(
            zip(
                [i.code for i in items],
                prefill_for([target.unit], items, timezone.now()).get(target.unit.pk, []),
                strict=True,
            )
        )
        if items
        else {}
    )
    entered: dict[int, str] = {}
    if target.submitted_at:
        entered.update(target.answers.values_list("field_id", "value"))
        by_item = dict(DataValue.objects.filter(target=target).values_list("item_id", "value"))
        entered.update({f.pk: by_item[f.item_id] for f in fields if f.item_id in by_item})
    rows = []
    for field in fields:
        prefill = known.get(field.item.code) if field.item else None
        is_prefilled = prefill is not None and prefill.is_prefilled
        value = prefill.known.value if is_prefilled else ""
        if target.submitted_at:
            state = "entered" if field.pk in entered else ("confirmed" if is_prefilled else "asked")
            value = entered.get(field.pk, value)
        else:
            state = "prefilled" if is_prefilled else "asked"
            value = posted.get(field.pk) or value
        rows.append(
            {
                "field": field,
                "known": prefill.known if is_prefilled else None,
                "value": value,
                "state": state,
                "source": _source_label(prefill.known.source) if is_prefilled else "",
            }
        )
    return rows


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
    bypass = get_object_or_404(EmergencyBypass, pk=bypass_id, target__in=selectors.target_queryset(request.user))
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


def _region(request) -> tuple[Region, list[Region]]:
    choices = selectors.region_choices(request.user)
    scope = scope_for(request.user)
    wanted = request.GET.get("region")
    if wanted:
        try:
            region = Region.objects.get(pk=int(wanted))
        except (Region.DoesNotExist, ValueError):
            raise Http404("No such region") from None
        if not scope.contains_region(region.pk):
            raise Http404("No such region")
        return region, choices
    if choices:
        return choices[0], choices
    home = Region.objects.filter(pk__in=scope.home_region_ids).order_by("id").first()
    if home is None:
        raise Http404("No region in scope")
    return home, [home]


@login_required
def load(request):
    _require(request, "burden.view_load")
    region, choices = _region(request)
    first, last = _period(request)
    result = reports.load_for(user=request.user, region=region, first=first, last=last)
    context = {
        "result": result,
        "region": region,
        "choices": choices,
        "first": first,
        "last": last,
        "chart": {**_load_chart(result), "region": region.name},
    }
    return render_page_or_partial(
        request, page="burden/load.html", partial="burden/partials/load_table.html", context=context
    )


def _chart_labels() -> dict[str, str]:
    return {
        "demanded": _("hours demanded"),
        "capacity": _("capacity hours"),
        "hours": _("h"),
        "hours_week": _("h/wk"),
        "admitted": _("admitted"),
        "approved": _("approved"),
        "refused": _("refused"),
        "pending": _("pending"),
    }


def _factor(row) -> float | None:
    return round(row.factor, 2) if row.factor is not None else None


def _load_chart(result) -> dict:
    by_street: dict[int, list] = {}
    street_span = 10**6
    for unit in result.units:
        by_street.setdefault(unit.region_id // street_span * street_span, []).append(
            {"name": unit.name, "value": round(max(unit.row.demanded_hours, 0.1), 1), "factor": _factor(unit.row)}
        )
    tree = [
        {
            "name": name,
            "value": round(max(row.demanded_hours, 0.1), 1),
            "factor": _factor(row),
            "children": by_street.get(key, []),
        }
        for key, name, row in result.streets
    ]
    geometry = list(
        Region.objects.filter(pk__in=[u.region_id for u in result.units], geometry__isnull=False).values_list(
            "pk", "name", "geometry"
        )[:3000]
    )
    factors = {u.region_id: _factor(u.row) for u in result.units}
    return {
        "labels": _chart_labels(),
        "tree": tree,
        "trend": [[w.isoformat(), round(d, 1), round(c, 1)] for w, d, c in result.trend],
        "senders": [[name, round(hours, 1)] for _s, name, hours in result.senders[:10]],
        "geo": [{"name": name, "factor": factors.get(pk), "geometry": geom} for pk, name, geom in geometry],
    }


@login_required
def admission(request):
    _require(request, "burden.view_registry")
    return render(request, "burden/admission.html", {"rows": selectors.admission_counts(user=request.user)})


@login_required
def report(request):
    _require(request, "burden.view_report")
    region, choices = _region(request)
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
    rules = [(rule, RULE_LABELS.get(rule, rule), result.flags_by_rule.get(rule, 0)) for rule in RULES]
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
            "chart": {
                "labels": _chart_labels(),
                "flags": [[str(label), count] for _rule, label, count in rules],
                "senders": [[s.name, s.admitted, s.approved, s.refused, s.pending] for s in result.senders[:12]],
                "trend": [[w.isoformat(), round(d, 1), round(c, 1)] for w, d, c in result.load.trend],
            },
        },
    )


@login_required
def catalogue(request):
    _require(request, "burden.view_registry")
    return render(request, "burden/catalogue.html", {"items": selectors.catalogue_list()})
