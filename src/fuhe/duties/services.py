"""Writes of the duty list: create, copy to a new draft, edit drafts, import from Excel, activate, seed."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fuhe.audit.services import audit_record
from fuhe.cases.models import Category
from fuhe.common.events import publish_on_commit
from fuhe.common.rows import RowError
from fuhe.duties.core.keywords import clean_keywords
from fuhe.duties.core.sheet import ItemRow, parse_rows
from fuhe.duties.events import DutyListActivated
from fuhe.duties.models import Admission, DutyItem, DutyList, ListStatus, OwnerLevel
from fuhe.org.models import DepartmentType, Region, UnitKind


class DutyImportError(ValidationError):
    """The sheet has problems; ``errors`` lists every one (row, field, problem). Nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__([str(error) for error in errors])


LEVEL_UNIT_KIND = {OwnerLevel.STREET: UnitKind.STREET_OFFICE, OwnerLevel.COMMUNITY: UnitKind.RESIDENTS_COMMITTEE}


def _next_version(region: Region) -> int:
    return (DutyList.objects.filter(region=region).aggregate(top=Max("version"))["top"] or 0) + 1


def _require_draft(duty_list: DutyList) -> None:
    if not duty_list.is_editable:
        raise ValidationError({"status": _("Only a draft list can be changed; copy it to a new draft first.")})


def duty_list_create(*, actor, region: Region, name: str, source: str = "", note: str = "") -> DutyList:
    with transaction.atomic():
        duty_list = DutyList(
            name=name.strip()[:120],
            version=_next_version(region),
            region=region,
            status=ListStatus.DRAFT,
            source=source[:200],
            note=note,
            created_by=_user(actor),
        )
        duty_list.full_clean()
        duty_list.save()
        audit_record(
            actor=actor,
            action="duties.list_create",
            target=duty_list,
            summary={"after": {"name": duty_list.name, "version": duty_list.version, "region": region.code}},
        )
    return duty_list


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _item(duty_list: DutyList, row: ItemRow, categories: dict[str, Category]) -> DutyItem:
    kind = row.lead_unit_kind or (
        UnitKind.DEPARTMENT
        if row.lead_department_type and row.owner_level == "district"
        else LEVEL_UNIT_KIND.get(row.owner_level, "")
    )
    return DutyItem(
        duty_list=duty_list,
        code=row.code,
        matter=row.matter,
        category=categories.get(row.category),
        owner_level=row.owner_level,
        lead_unit_kind=kind,
        lead_department_type=row.lead_department_type,
        assisting_department_types=row.assisting_department_types,
        basis=row.basis,
        keywords=row.keywords,
        examples=row.examples,
        admission=row.admission or Admission.NONE,
        note=row.note,
    )


def duty_items_add(*, actor, duty_list: DutyList, rows: Iterable[ItemRow]) -> int:
    _require_draft(duty_list)
    categories = {c.path: c for c in Category.objects.all()}
    items = [_item(duty_list, row, categories) for row in rows]
    with transaction.atomic():
        for item in items:
            item.full_clean(exclude=["duty_list"])
        DutyItem.objects.bulk_create(items)
        audit_record(actor=actor, action="duties.items_add", target=duty_list, summary={"after": {"items": len(items)}})
    return len(items)


def duty_item_save(*, actor, item: DutyItem) -> DutyItem:
    """Create or change one item of a draft list (the form's instance)."""
    _require_draft(item.duty_list)
    with transaction.atomic():
        if item.owner_level == OwnerLevel.DISTRICT and item.lead_department_type and not item.lead_unit_kind:
            item.lead_unit_kind = UnitKind.DEPARTMENT
        item.lead_unit_kind = item.lead_unit_kind or LEVEL_UNIT_KIND.get(item.owner_level, "")
        item.full_clean()
        item.save()
        audit_record(
            actor=actor,
            action="duties.item_save",
            target=item,
            summary={"after": {"code": item.code, "matter": item.matter, "owner": item.owner_key}},
        )
    return item


def duty_list_copy(*, actor, source: DutyList, name: str = "") -> DutyList:
    """A new draft version of ``source``'s region holding a copy of its items (the way to edit a live list)."""
    with transaction.atomic():
        draft = duty_list_create(
            actor=actor, region=source.region, name=name or source.name, source=f"copy of v{source.version}"
        )
        DutyItem.objects.bulk_create(
            [
                DutyItem(
                    duty_list=draft,
                    code=i.code,
                    matter=i.matter,
                    category_id=i.category_id,
                    owner_level=i.owner_level,
                    lead_unit_kind=i.lead_unit_kind,
                    lead_department_type=i.lead_department_type,
                    assisting_department_types=list(i.assisting_department_types),
                    basis=i.basis,
                    keywords=list(i.keywords),
                    examples=list(i.examples),
                    admission=i.admission,
                    note=i.note,
                )
                for i in source.items.all()
            ]
        )
    return draft


def duty_list_activate(*, actor, duty_list: DutyList, effective_from=None, retrain: bool = True) -> DutyList:
    """Make a draft the region's active list; the list it replaces is retired from the same moment."""
    if duty_list.status != ListStatus.DRAFT:
        raise ValidationError({"status": _("Only a draft can be activated.")})
    if not duty_list.items.exists():
        raise ValidationError({"items": _("An empty list cannot be activated.")})
    moment = effective_from or timezone.now()
    with transaction.atomic():
        duty_list = DutyList.objects.select_for_update().get(pk=duty_list.pk)
        previous = (
            DutyList.objects.select_for_update().filter(region=duty_list.region, status=ListStatus.ACTIVE).first()
        )
        if previous is not None:
            previous.status, previous.effective_to = ListStatus.RETIRED, moment
            previous.save(update_fields=["status", "effective_to"])
        duty_list.status, duty_list.effective_from, duty_list.effective_to = ListStatus.ACTIVE, moment, None
        duty_list.save(update_fields=["status", "effective_from", "effective_to"])
        audit_record(
            actor=actor,
            action="duties.list_activate",
            target=duty_list,
            summary={
                "after": {"version": duty_list.version, "effective_from": moment.isoformat()},
                "retired": previous.pk if previous else None,
            },
        )
    # a new list changes routing's classes and keywords: routing listens and retrains in the background
    publish_on_commit(DutyListActivated(duty_list.pk, retrain_routing=retrain))
    return duty_list


def duty_list_delete_draft(*, actor, duty_list: DutyList) -> None:
    _require_draft(duty_list)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="duties.list_delete",
            target=duty_list,
            summary={"before": {"name": duty_list.name, "version": duty_list.version}},
        )
        duty_list.delete()


# --- Excel ---------------------------------------------------------------------------------------


def _choices() -> dict[str, set[str]]:
    return {
        "owner_level": set(OwnerLevel.values),
        "lead_unit_kind": set(UnitKind.values),
        "lead_department_type": set(DepartmentType.values),
        "admission": set(Admission.values),
    }


def _choice_aliases() -> dict[str, dict[str, str]]:
    """Per choice column, its labels in Chinese and in English → the code: a sheet may name a choice either way."""
    columns = {
        "owner_level": OwnerLevel,
        "lead_unit_kind": UnitKind,
        "lead_department_type": DepartmentType,
        "admission": Admission,
    }
    aliases: dict[str, dict[str, str]] = {key: {} for key in columns}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for key, choices in columns.items():
                aliases[key].update({str(label): str(code) for code, label in choices.choices})
    return aliases


def duty_list_import_xlsx(*, actor, region: Region, name: str, file, effective_note: str = "") -> DutyList:
    """A new draft list from an Excel workbook (first sheet). All or nothing: ``DutyImportError`` names every
    row and field at fault and nothing is written."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a file that is not a workbook
        raise DutyImportError(
            [RowError(0, "file", _("Not an Excel workbook (%(error)s).") % {"error": exc.__class__.__name__})]
        ) from exc
    sheet = workbook.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    if not rows:
        raise DutyImportError([RowError(1, "code", _("The sheet is empty."))])
    categories = set(Category.objects.values_list("path", flat=True))
    items, errors = parse_rows(rows[0], rows[1:], categories=categories, choices=_choices(), aliases=_choice_aliases())
    if errors:
        raise DutyImportError(errors)
    source = getattr(file, "name", "") or "upload"
    with transaction.atomic():
        duty_list = duty_list_create(
            actor=actor, region=region, name=name, source=f"import: {source}", note=effective_note
        )
        duty_items_add(actor=actor, duty_list=duty_list, rows=items)
    return duty_list


# --- demo seed -------------------------------------------------------------------------------------


def _taxonomy(path: Path) -> dict[tuple[str, str], list[str]]:
    level3: dict[tuple[str, str], list[str]] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            level3.setdefault((row["level1"].strip(), row["level2"].strip()), []).append(row["level3"].strip())
    return level3


def duty_list_seed_demo(*, actor, region: Region, taxonomy_path: Path, activate: bool = True) -> DutyList | None:
    """The demo's list (see ``seed.py``), active from now. Idempotent: nothing happens if the region has a list."""
    from fuhe.cases.services.intake import categories_seed
    from fuhe.duties.seed import BASIS, EXTRA_ITEMS, TAXONOMY_ITEMS, typical_cases

    if DutyList.objects.filter(region=region).exists():
        return None
    level3 = _taxonomy(taxonomy_path)
    categories_seed([(a, b, c) for (a, b), names in level3.items() for c in names])
    rows = []
    for code, level1, level2, level, department, assisting, admission, basis, extra in TAXONOMY_ITEMS:
        keywords = clean_keywords([level2, *level3.get((level1, level2), []), *extra])
        matter = f"{level1}·{level2}" if level2 == "其他" else level2
        rows.append(
            ItemRow(
                row=0,
                code=code,
                matter=matter,
                category=f"{level1}/{level2}",
                owner_level=level,
                lead_department_type=department,
                assisting_department_types=assisting,
                basis=basis or BASIS.get(level1, ""),
                keywords=keywords,
                admission=admission,
                examples=typical_cases(code),
            )
        )
    for code, matter, category, level, department, assisting, admission, basis, keywords in EXTRA_ITEMS:
        rows.append(
            ItemRow(
                row=0,
                code=code,
                matter=matter,
                category=category,
                owner_level=level,
                lead_department_type=department,
                assisting_department_types=assisting,
                basis=basis,
                keywords=clean_keywords(keywords),
                admission=admission,
                examples=typical_cases(code),
            )
        )
    with transaction.atomic():
        duty_list = duty_list_create(
            actor=actor,
            region=region,
            name="权责清单（演示）",
            source="demo seed",
            note="Illustrative defaults built from the message taxonomy.",
        )
        duty_items_add(actor=actor, duty_list=duty_list, rows=rows)
        if activate:
            duty_list_activate(actor=actor, duty_list=duty_list, retrain=False)
    return duty_list
