"""Thin views of the duty list: browse and search, import/export Excel, drafts, activation, the report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fuhe.accounts.models import STAFF_ROLES
from fuhe.accounts.scope import scope_for
from fuhe.duties import selectors
from fuhe.duties.core.sheet import COLUMNS
from fuhe.duties.forms import DutyItemForm, ImportForm
from fuhe.duties.models import Admission, DutyItem, OwnerLevel
from fuhe.duties.services import (
    DutyImportError,
    duty_item_save,
    duty_list_activate,
    duty_list_copy,
    duty_list_delete_draft,
    duty_list_import_xlsx,
)
from fuhe.duties.sheets import column_label, duty_list_workbook, row_error_text
from fuhe.org.models import DepartmentType
from fuhe.ui.htmx import render_page_or_partial


def _staff_only(request):
    if not scope_for(request.user).has_role(*STAFF_ROLES):
        raise Http404("No duty lists here")


def _get_list(request, list_id, perm: str = "duties.view_dutylist"):
    duty_list = selectors.duty_list_get(user=request.user, list_id=list_id)
    if not request.user.has_perm(perm, duty_list):
        raise Http404("No such duty list")
    return duty_list


@login_required
@require_http_methods(["GET", "POST"])
def index(request):
    _staff_only(request)
    can_maintain = request.user.has_perm("duties.maintain")
    form = (
        ImportForm(
            request.POST or None, request.FILES or None, regions=selectors.duty_list_region_choices(user=request.user)
        )
        if can_maintain
        else None
    )
    errors = []
    if request.method == "POST":
        if form is None:
            raise Http404("No such page")
        if form.is_valid():
            region = selectors.duty_list_region_get(user=request.user, region_id=form.cleaned_data["region"])
            try:
                duty_list = duty_list_import_xlsx(
                    actor=request.user, region=region, name=form.cleaned_data["name"], file=form.cleaned_data["file"]
                )
            except DutyImportError as exc:
                errors = [row_error_text(error) for error in exc.errors]
            else:
                messages.success(request, _("Imported as a draft: check it, then activate it."))
                return redirect("duties:detail", list_id=duty_list.pk)
    return render(
        request,
        "duties/index.html",
        {
            "lists": selectors.duty_list_list(user=request.user),
            "form": form,
            "errors": errors,
            "sheet_columns": _(", ").join(column_label(key) for key in COLUMNS),
        },
    )


@login_required
def detail(request, list_id: int):
    duty_list = _get_list(request, list_id)
    query = request.GET.get("q", "")[:60]
    level, admission = request.GET.get("level", ""), request.GET.get("admission", "")
    department = request.GET.get("department", "")
    items = selectors.duty_items_search(
        duty_list=duty_list, query=query, level=level, admission=admission, department=department
    )
    context = {
        "duty_list": duty_list,
        "items": items,
        "query": query,
        "level": level,
        "admission": admission,
        "department": department,
        "levels": OwnerLevel.choices,
        "admissions": Admission.choices,
        "departments": DepartmentType.choices,
        "can_change": request.user.has_perm("duties.change_dutylist", duty_list),
        "can_copy": request.user.has_perm("duties.change_dutylist", duty_list),
        "can_report": request.user.has_perm("duties.view_report", duty_list),
    }
    return render_page_or_partial(
        request, page="duties/detail.html", partial="duties/partials/item_rows.html", context=context
    )


@login_required
def export(request, list_id: int):
    duty_list = _get_list(request, list_id)
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = f"duty-list-{duty_list.region.code}-v{duty_list.version}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    duty_list_workbook(duty_list).save(response)
    return response


@login_required
@require_POST
def copy(request, list_id: int):
    duty_list = _get_list(request, list_id, "duties.change_dutylist")
    draft = duty_list_copy(actor=request.user, source=duty_list)
    messages.success(request, _("Draft v%(version)d created.") % {"version": draft.version})
    return redirect("duties:detail", list_id=draft.pk)


@login_required
@require_POST
def activate(request, list_id: int):
    duty_list = _get_list(request, list_id, "duties.change_dutylist")
    try:
        duty_list_activate(actor=request.user, duty_list=duty_list)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Activated; the previous version is retired."))
    return redirect("duties:detail", list_id=duty_list.pk)


@login_required
@require_POST
def delete(request, list_id: int):
    duty_list = _get_list(request, list_id, "duties.change_dutylist")
    try:
        duty_list_delete_draft(actor=request.user, duty_list=duty_list)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("duties:detail", list_id=duty_list.pk)
    messages.success(request, _("Draft deleted."))
    return redirect("duties:index")


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, list_id: int, item_id: int | None = None):
    duty_list = _get_list(request, list_id, "duties.change_dutylist")
    if not duty_list.is_editable:
        messages.error(request, _("Only a draft can be changed; copy the list to a new draft first."))
        return redirect("duties:detail", list_id=duty_list.pk)
    item = (
        selectors.duty_item_get(user=request.user, duty_list=duty_list, item_id=item_id)
        if item_id
        else DutyItem(duty_list=duty_list)
    )
    form = DutyItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            duty_item_save(actor=request.user, item=form.save())
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved."))
            return redirect("duties:detail", list_id=duty_list.pk)
    return render(request, "duties/item_form.html", {"duty_list": duty_list, "form": form, "item": item})


@login_required
def report(request, list_id: int):
    duty_list = _get_list(request, list_id, "duties.view_report")
    return render(
        request, "duties/report.html", {"report": selectors.duty_report(user=request.user, duty_list=duty_list)}
    )
