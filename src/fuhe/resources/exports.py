"""The resource registry as an Excel workbook: the importer's columns, contact phones masked."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from fuhe.resources.selectors import resource_is_stale, resource_list
from fuhe.resources.services.sheet_import import COLUMNS, STALE_HEADER


def resources_workbook(*, user) -> Workbook:
    """The resources the user sees, one row each, in the columns the importer reads (plus a stale flag)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "resources"
    sheet.append([*COLUMNS.values(), str(STALE_HEADER)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for resource in resource_list(user=user):
        windows = ";".join(
            f"{w.starts_at.astimezone():%Y-%m-%d %H:%M}~{w.ends_at.astimezone():%Y-%m-%d %H:%M}"
            for w in resource.windows.all()
        )
        sheet.append(
            [
                resource.name,
                resource.kind,
                resource.capacity,
                resource.unit_label,
                resource.expires_on,
                float(resource.latitude) if resource.latitude is not None else None,
                float(resource.longitude) if resource.longitude is not None else None,
                "、".join(resource.skills),
                float(resource.unit_cost),
                resource.service_radius_km,
                resource.conditions,
                resource.contact_name,
                resource.contact_phone_masked,
                windows,
                _("stale") if resource_is_stale(resource) else "",
            ]
        )
    return workbook
