"""The funding pages: calls, applications, scoring, awards, money and delivery. Thin: validate, call one
service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuhe.accounts.scope import scope_for
from fuhe.funding import selectors, services
from fuhe.funding.forms import ApplicationForm, CallForm, ReportForm, ScoreForm, SpendingForm, TrancheForm
from fuhe.funding.models import CallState, DeliverableState
from fuhe.funding.rules import can_confirm_delivery, can_manage_call, can_report_for, can_score, has_conflict
from fuhe.org.models import Region
from fuhe.ui.errors import error_text

SERVICE_TO_FORM_FIELD = {"delivered_quantity": "delivered_quantity"}


def _form_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "message_dict"):
        form.add_error(None, error_text(exc, with_fields=False))
        return
    for key, errors in exc.message_dict.items():
        name = SERVICE_TO_FORM_FIELD.get(key, key)
        form.add_error(name if name in form.fields else None, errors)


@login_required
def call_list(request):
    if not request.user.has_perm("funding.view_projects"):
        raise PermissionDenied
    calls = selectors.call_list(user=request.user)
    return render(
        request,
        "funding/call_list.html",
        {"calls": calls, "can_publish": request.user.has_perm("funding.publish_call")},
    )


def _call_form(request):
    user = request.user
    scope = scope_for(user)
    regions = Region.objects.filter(scope.region_q("id")).filter(level__in=["district", "street", "community"])
    return CallForm(
        request.POST or None,
        owners=selectors.units_for_owner(user=user),
        regions=Region.objects.filter(pk__in=list(regions.order_by("id").values_list("id", flat=True)[:500])),
        demands=selectors.demands_for_call(user=user),
        panel=selectors.panel_candidates(user=user),
    )


@login_required
def call_new(request):
    if not request.user.has_perm("funding.publish_call"):
        raise PermissionDenied
    form = _call_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_publish(actor=request.user, **form.service_arguments())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The call is published."))
            return redirect("funding:call_detail", call_id=call.pk)
    status = 400 if form.is_bound else 200
    return render(request, "funding/call_form.html", {"form": form}, status=status)


@login_required
def call_detail(request, call_id: int):
    call = selectors.call_get(user=request.user, call_id=call_id)
    applications = list(selectors.application_list(user=request.user, call=call))
    ranked = selectors.call_ranking(call)  # best first, incomplete ones last
    order = {row.application_id: (index, row) for index, row in enumerate(ranked)}
    can_manage = can_manage_call(request.user, call)
    applications.sort(key=lambda application: order[application.pk][0])
    rows = [(application, order[application.pk][1]) for application in applications]
    context = {
        "call": call,
        "rows": rows,
        "criteria": list(call.criteria.all()),
        "panel": list(call.panel.all()),
        "demands": list(call.demands.select_related("region", "requester")),
        "can_manage": can_manage,
        "can_apply": call.state == CallState.OPEN
        and selectors.units_for_applicant(user=request.user, call=call).exists(),
        "awarded_fen": selectors.call_awarded_fen(call),
    }
    return render(request, "funding/call_detail.html", context)


@login_required
@require_POST
def call_award(request, call_id: int):
    call = selectors.call_get(user=request.user, call_id=call_id)
    try:
        awards = services.call_award(actor=request.user, call=call)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("%(count)s project(s) awarded.") % {"count": len(awards)})
    return redirect("funding:call_detail", call_id=call.pk)


@login_required
def application_new(request, call_id: int):
    call = selectors.call_get(user=request.user, call_id=call_id)
    form = ApplicationForm(
        request.POST or None,
        applicants=selectors.units_for_applicant(user=request.user, call=call),
        demands=call.demands.filter(state="open"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(actor=request.user, call=call, **form.service_arguments())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Your application is submitted."))
            return redirect("funding:application_detail", application_id=application.pk)
    status = 400 if form.is_bound else 200
    return render(request, "funding/application_form.html", {"form": form, "call": call}, status=status)


def _application_page(request, application, status=200, **forms):
    user = request.user
    call = application.call
    award = getattr(application, "award", None) if hasattr(application, "award") else None
    criteria = list(call.criteria.all())
    mine = selectors.member_scores(application=application, member=user)
    score_form = forms.get("score_form")
    if score_form is None and can_score(user, application) and call.state == CallState.OPEN:
        score_form = ScoreForm(criteria=criteria, initial={f"score_{k}": v.score for k, v in mine.items()})
    is_reporter = can_report_for(user, application)
    context = {
        "application": application,
        "call": call,
        "award": award,
        "criteria": criteria,
        "deliverables": list(application.deliverables.select_related("reported_by", "confirmed_by")),
        "history": selectors.score_history(application=application),
        "is_panel": call.panel.filter(pk=user.pk).exists(),
        "has_conflict": has_conflict(user, application),
        "score_form": score_form,
        "has_scored": bool(mine),
        "can_manage": can_manage_call(user, call),
        "is_reporter": is_reporter,
        "can_confirm": can_confirm_delivery(user, application),
        "tranche_form": forms.get("tranche_form") or TrancheForm(auto_id="tranche_%s"),
        "spending_form": forms.get("spending_form") or SpendingForm(auto_id="spending_%s"),
        "report_form": forms.get("report_form") or ReportForm(),
        "report_target": forms.get("report_target"),
        "reported": DeliverableState.REPORTED,
        "confirmed": DeliverableState.CONFIRMED,
    }
    if award is not None:
        context["tranches"] = list(award.tranches.all())
        context["spending"] = list(award.spending.all())
        context["disbursed_fen"] = sum(t.amount_fen for t in context["tranches"])
        context["spent_fen"] = sum(s.amount_fen for s in context["spending"])
    return render(request, "funding/application_detail.html", context, status=status)


def _application(request, application_id):
    return selectors.application_get(user=request.user, application_id=application_id)


@login_required
def application_detail(request, application_id: int):
    return _application_page(request, _application(request, application_id))


@login_required
@require_POST
def application_score(request, application_id: int):
    application = _application(request, application_id)
    form = ScoreForm(request.POST, criteria=application.call.criteria.all())
    if form.is_valid():
        try:
            services.scores_submit(
                actor=request.user,
                application=application,
                scores=form.scores(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Your scores are recorded."))
            return redirect("funding:application_detail", application_id=application.pk)
    return _application_page(request, application, status=400, score_form=form)


def _award_of(request, application):
    award = getattr(application, "award", None)
    if award is None:
        raise PermissionDenied
    return award


@login_required
@require_POST
def award_tranche(request, application_id: int):
    application = _application(request, application_id)
    award = _award_of(request, application)
    form = TrancheForm(request.POST, auto_id="tranche_%s")
    if form.is_valid():
        try:
            services.tranche_disburse(actor=request.user, award=award, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The tranche is recorded."))
            return redirect("funding:application_detail", application_id=application.pk)
    return _application_page(request, application, status=400, tranche_form=form)


@login_required
@require_POST
def award_spending(request, application_id: int):
    application = _application(request, application_id)
    award = _award_of(request, application)
    form = SpendingForm(request.POST, request.FILES, auto_id="spending_%s")
    if form.is_valid():
        try:
            services.spending_record(actor=request.user, award=award, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The spending is recorded."))
            return redirect("funding:application_detail", application_id=application.pk)
    return _application_page(request, application, status=400, spending_form=form)


@login_required
@require_POST
def deliverable_report(request, deliverable_id: int):
    deliverable = selectors.deliverable_get(user=request.user, deliverable_id=deliverable_id)
    application = _application(request, deliverable.application_id)
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            services.deliverable_report(actor=request.user, deliverable=deliverable, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The delivery is reported; the requester will confirm it."))
            return redirect("funding:application_detail", application_id=application.pk)
    return _application_page(request, application, status=400, report_form=form, report_target=deliverable.pk)


@login_required
@require_POST
def deliverable_confirm(request, deliverable_id: int):
    deliverable = selectors.deliverable_get(user=request.user, deliverable_id=deliverable_id)
    try:
        services.deliverable_confirm(actor=request.user, deliverable=deliverable)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The delivery is confirmed."))
    return redirect("funding:application_detail", application_id=deliverable.application_id)


@login_required
def money_path(request, call_id: int):
    call = selectors.call_get(user=request.user, call_id=call_id)
    path = selectors.money_path(call=call)
    return render(request, "funding/money_path.html", {"call": call, "path": path, "sankey": path["sankey"]})
