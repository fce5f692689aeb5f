"""The volunteer pages (志愿服务): a volunteer's own page, the community worker's requests (post, counter-sign,
correct), the issuing body's certifications, the redemption catalogue and the certificate of service. Each view
validates, calls one service or selector, renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from fuhe.accounts.scope import scope_for
from fuhe.cases.selectors import case_get
from fuhe.org.models import COMMITTEE_KINDS, STREET_KINDS, Region, RegionLevel, Unit
from fuhe.participation import selectors
from fuhe.participation.exports import XLSX, Certificate, MissingFontError, certificate_pdf, certificate_xlsx
from fuhe.participation.forms import (
    CertificationForm,
    CorrectionForm,
    ReasonForm,
    RedeemForm,
    RedemptionItemForm,
    ServiceRecordForm,
    ServiceRequestForm,
    SignForm,
)
from fuhe.participation.models import RedemptionItem, RequestState, ServiceField
from fuhe.participation.rules import (
    can_issue_certifications,
    can_manage_request,
    can_post_requests,
    can_take_request,
    certification_grants,
    fields_issued_by,
    is_volunteer_person,
    issuing_units,
)
from fuhe.participation.services import (
    certification_issue,
    certification_revoke,
    points_redeem,
    redemption_item_create,
    service_record_correct,
    service_record_create,
    service_record_sign,
    service_request_cancel,
    service_request_create,
    service_request_release,
    service_request_take,
)
from fuhe.resources.models import ResourceKind
from fuhe.resources.selectors import demand_get
from fuhe.ui.errors import error_text
from fuhe.ui.htmx import render_page_or_partial


def _balance_and_statement(user, page=1):
    account = selectors.account_of_person(person=user)
    if account is None:
        return 0, None
    statement = selectors.account_statement(account=account, page=page, per_page=20)
    return statement.balance, statement


@login_required
@require_GET
def home(request):
    user = request.user
    context: dict = {
        "is_volunteer": is_volunteer_person(user),
        "can_post": can_post_requests(user),
        "can_issue": can_issue_certifications(user),
    }
    if context["is_volunteer"]:
        balance, statement = _balance_and_statement(user, request.GET.get("page") or 1)
        context.update(
            certifications=selectors.certifications_of(person=user),
            available=selectors.service_requests_available(user=user),
            taken=selectors.service_requests_taken(user=user),
            records=selectors.service_records_of(person=user),
            balance=balance,
            statement=statement,
        )
    if context["can_post"]:
        context["managed"] = selectors.service_requests_managed(user=user)
    return render(request, "participation/home.html", context)


# --- requests -----------------------------------------------------------------------------------------------------


def _poster_units(user):
    return list(
        Unit.objects.filter(id__in=sorted(scope_for(user).unit_ids), kind__in=[*COMMITTEE_KINDS, *STREET_KINDS])
    )


def _poster_regions(user):
    return list(
        Region.objects.filter(scope_for(user).region_q(), level__in=[RegionLevel.COMMUNITY, RegionLevel.GRID])
        .order_by("id")
        .only("id", "name")[:400]
    )


def _prefill(request) -> tuple[dict, object, object]:
    """Initial values from ``?case=`` (a case in the user's scope) or ``?demand=`` (a volunteer-skill demand)."""
    initial: dict = {}
    case = demand = None
    source = request.POST if request.method == "POST" else request.GET
    if source.get("case"):
        case = case_get(user=request.user, case_id=_int(source["case"]))
        initial.update(case=case.pk, title=case.title[:120], region=case.region_id)
    if source.get("demand"):
        demand = demand_get(user=request.user, demand_id=_int(source["demand"]))
        if demand.kind != ResourceKind.VOLUNTEER_SKILL:
            raise Http404("not a volunteer demand")
        initial.update(demand=demand.pk, title=demand.title[:120], region=demand.region_id, place=demand.place_label)
        if demand.skill in ServiceField.values:
            initial["field"] = demand.skill
    return initial, case, demand


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("bad id") from None


@login_required
def request_new(request):
    if not can_post_requests(request.user):
        raise PermissionDenied
    initial, case, demand = _prefill(request)
    units, regions = _poster_units(request.user), _poster_regions(request.user)
    form = ServiceRequestForm(request.POST or None, initial=initial, units=units, regions=regions)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = service_request_create(
                actor=request.user,
                unit=next((u for u in units if u.pk == data["unit"]), None),
                title=data["title"],
                field=data["field"],
                min_level=data["min_level"],
                region=next((r for r in regions if r.pk == data["region"]), None),
                place=data["place"],
                starts_at=data["starts_at"],
                expected_hours=data["expected_hours"],
                points_per_hour=data["points_per_hour"],
                description=data["description"],
                case=case,
                demand=demand,
            )
        except ValidationError as exc:
            error = error_text(exc, with_fields=False)
        else:
            messages.success(request, _("The request is posted."))
            return redirect("participation:request_detail", created.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "participation/request_new.html",
        {"form": form, "error": error, "case": case, "demand": demand},
        status=status,
    )


def _detail_context(request, service_request, **extra) -> dict:
    user = request.user
    record = getattr(service_request, "record", None) if service_request.state in ("recorded", "signed") else None
    manages = can_manage_request(user, service_request)
    context = {
        "sr": service_request,
        "manages": manages,
        "is_owner": user.pk == service_request.owner_id,
        "is_taker": user.pk == service_request.volunteer_id,
        "can_take": can_take_request(user, service_request),
        "is_volunteer": is_volunteer_person(user),
        "certified": certification_grants(user, service_request.field, min_level=service_request.min_level),
        "record": selectors.record_current(record) if record else None,
        "corrections": list(record.corrections.select_related("actor")) if record else [],
        "events": list(service_request.events.select_related("actor")),
        "candidates": selectors.volunteer_candidates(request=service_request)
        if manages and service_request.state == RequestState.OPEN
        else [],
        "record_form": ServiceRecordForm(initial={"place": service_request.place}),
        "sign_form": SignForm(),
        "correction_form": CorrectionForm(),
        "reason_form": ReasonForm(),
    }
    context.update(extra)
    return context


@login_required
@require_GET
def request_detail(request, request_id: int):
    service_request = selectors.service_request_get(user=request.user, request_id=request_id)
    return render(request, "participation/request_detail.html", _detail_context(request, service_request))


def _act(request, request_id: int, action, *, form_class=None, success: str):
    """Run one action on the request; on refusal show the page again with the error (400), nothing written."""
    service_request = selectors.service_request_get(user=request.user, request_id=request_id)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        error = " ".join(str(m) for messages_ in form.errors.values() for m in messages_)
        context = _detail_context(request, service_request, error=error)
        return render(request, "participation/request_detail.html", context, status=400)
    try:
        action(service_request, form.cleaned_data if form else {})
    except ValidationError as exc:
        context = _detail_context(request, service_request, error=error_text(exc, with_fields=False))
        return render(request, "participation/request_detail.html", context, status=400)
    messages.success(request, success)
    return redirect("participation:request_detail", service_request.pk)


@login_required
@require_POST
def request_take(request, request_id: int):
    return _act(
        request,
        request_id,
        lambda sr, _data: service_request_take(actor=request.user, request=sr),
        success=_("You took this request."),
    )


@login_required
@require_POST
def request_release(request, request_id: int):
    return _act(
        request,
        request_id,
        lambda sr, _data: service_request_release(actor=request.user, request=sr),
        success=_("The request is open again."),
    )


@login_required
@require_POST
def request_cancel(request, request_id: int):
    return _act(
        request,
        request_id,
        lambda sr, data: service_request_cancel(actor=request.user, request=sr, reason=data["reason"]),
        form_class=ReasonForm,
        success=_("The request is cancelled."),
    )


@login_required
@require_POST
def record_create(request, request_id: int):
    return _act(
        request,
        request_id,
        lambda sr, data: service_record_create(actor=request.user, request=sr, **data),
        form_class=ServiceRecordForm,
        success=_("The service is recorded; it awaits the owner's counter-signature."),
    )


def _record_of(service_request):
    record = getattr(service_request, "record", None)
    if record is None:
        raise ValidationError({"record": _("This request has no service record yet.")})
    return record


@login_required
@require_POST
def record_sign(request, request_id: int):
    return _act(
        request,
        request_id,
        lambda sr, data: service_record_sign(
            actor=request.user, record=_record_of(sr), confirmed=bool(data["confirmed"])
        ),
        form_class=SignForm,
        success=_("Counter-signed: the points are credited to the volunteer."),
    )


@login_required
@require_POST
def record_correct(request, request_id: int):
    return _act(
        request,
        request_id,
        lambda sr, data: service_record_correct(actor=request.user, record=_record_of(sr), **data),
        form_class=CorrectionForm,
        success=_("The correction is recorded."),
    )


# --- certifications (the issuing body) ----------------------------------------------------------------------------


def _issuer_context(request, form=None, error: str = "") -> dict:
    units = issuing_units(request.user)
    fields = list(dict.fromkeys(f for unit in units for f in fields_issued_by(unit)))
    return {
        "form": form or CertificationForm(units=units, fields=fields),
        "units": units,
        "issued": selectors.certifications_issued(user=request.user, units=units),
        "reason_form": ReasonForm(),
        "error": error,
    }


@login_required
def certifications(request):
    if not can_issue_certifications(request.user):
        raise PermissionDenied
    if request.method != "POST":
        return render(request, "participation/certifications.html", _issuer_context(request))
    context = _issuer_context(request)
    units = context["units"]
    form = CertificationForm(
        request.POST, request.FILES, units=units, fields=[c for c, _label in context["form"].fields["field"].choices]
    )
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        volunteer = selectors.volunteer_find(user=request.user, username=data["volunteer"])
        try:
            certification_issue(
                actor=request.user,
                volunteer=volunteer,
                issuer=next((u for u in units if u.pk == data["issuer"]), None),
                field=data["field"],
                level=data["level"],
                evidence=data["evidence"],
                evidence_file=data["evidence_file"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
            )
        except ValidationError as exc:
            error = error_text(exc, with_fields=False)
        else:
            messages.success(request, _("The certification is issued."))
            return redirect("participation:certifications")
    return render(request, "participation/certifications.html", _issuer_context(request, form, error), status=400)


@login_required
@require_POST
def certification_revoke_view(request, certification_id: int):
    if not can_issue_certifications(request.user):
        raise PermissionDenied
    units = issuing_units(request.user)
    certification = selectors.certification_get_for_issuer(
        user=request.user, certification_id=certification_id, units=units
    )
    form = ReasonForm(request.POST)
    try:
        certification_revoke(actor=request.user, certification=certification, reason=form.data.get("reason", ""))
    except ValidationError as exc:
        return render(
            request,
            "participation/certifications.html",
            _issuer_context(request, error=error_text(exc, with_fields=False)),
            status=400,
        )
    messages.success(request, _("The certification is revoked."))
    return redirect("participation:certifications")


# --- the redemption catalogue -------------------------------------------------------------------------------------


def _catalogue_context(request, **extra) -> dict:
    user = request.user
    can_offer = can_post_requests(user)
    balance = 0
    if is_volunteer_person(user):
        account = selectors.account_of_person(person=user)
        balance = selectors.account_balance(account=account) if account else 0
    context = {
        "items": selectors.redemption_items_available(),
        "balance": balance,
        "is_volunteer": is_volunteer_person(user),
        "redeem_form": RedeemForm(),
        "can_offer": can_offer,
        "item_form": RedemptionItemForm(units=_poster_units(user)) if can_offer else None,
        "error": "",
        "done": "",
    }
    context.update(extra)
    return context


def _catalogue_offer(request):
    units = _poster_units(request.user)
    form = RedemptionItemForm(request.POST, units=units)
    if not form.is_valid():
        error = " ".join(str(m) for messages_ in form.errors.values() for m in messages_)
        context = _catalogue_context(request, offer_error=error, item_form=form)
        return render(request, "participation/catalogue.html", context, status=400)
    data = form.cleaned_data
    try:
        redemption_item_create(
            actor=request.user,
            owner=next((u for u in units if u.pk == data["owner"]), None),
            name=data["name"],
            description=data["description"],
            points=data["points"],
            stock=data["stock"],
        )
    except ValidationError as exc:
        context = _catalogue_context(request, offer_error=error_text(exc, with_fields=False), item_form=form)
        return render(request, "participation/catalogue.html", context, status=400)
    messages.success(request, _("The item is in the catalogue."))
    return redirect("participation:catalogue")


@login_required
def catalogue(request):
    if request.method != "POST":
        return render(request, "participation/catalogue.html", _catalogue_context(request))
    if request.POST.get("action") == "offer":
        return _catalogue_offer(request)
    item = RedemptionItem.objects.filter(pk=_int(request.POST.get("item")), is_active=True).first()
    if item is None:
        raise Http404("no such item")
    form = RedeemForm(request.POST)
    error = done = ""
    if not form.is_valid():
        error = " ".join(str(m) for messages_ in form.errors.values() for m in messages_)
    else:
        try:
            points_redeem(actor=request.user, item=item, quantity=form.cleaned_data["quantity"])
        except ValidationError as exc:
            error = error_text(exc, with_fields=False)
        else:
            done = _("Redeemed: %(item)s × %(quantity)s.") % {
                "item": item.name,
                "quantity": form.cleaned_data["quantity"],
            }
    return render_page_or_partial(
        request,
        page="participation/catalogue.html",
        partial="participation/partials/catalogue.html",
        context=_catalogue_context(request, error=error, done=done),
        status=200 if done or request.headers.get("HX-Request") else 400,
    )


# --- the certificate of service -----------------------------------------------------------------------------------


def _certificate(user) -> Certificate:
    records = [r for r in selectors.service_records_of(person=user) if r.record.earning_id is not None]
    return Certificate(volunteer_name=str(user), records=records)


@login_required
@require_GET
def certificate_download(request, fmt: str):
    if not is_volunteer_person(request.user):
        raise PermissionDenied
    certificate = _certificate(request.user)
    if fmt == "xlsx":
        response = HttpResponse(certificate_xlsx(certificate), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="volunteer-service.xlsx"'
        return response
    try:
        body = certificate_pdf(certificate)
    except MissingFontError as exc:
        messages.error(request, str(exc))
        return redirect("participation:home")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="volunteer-service.pdf"'
    return response
