"""Input forms of the burden pages (validation only; the services decide)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuhe.burden.models import EffortBasis, EvidenceKind, Recurrence, TargetLevel, Task, TaskKind
from fuhe.burden.selectors import catalogue_list, region_choices, sender_units
from fuhe.burden.services import FieldSpec

START_OF_DAY = time(9, 0)
CLOSE_OF_BUSINESS = time(17, 30)


def at_local(day, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # a date input reads ISO dates only


class TaskIssueForm(forms.Form):
    sender = forms.ModelChoiceField(label=_("Sent by"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=TaskKind.choices)
    content = forms.CharField(
        label=_("What is asked"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )
    target_region = forms.TypedChoiceField(label=_("Sent to (region)"), coerce=int)
    target_level = forms.ChoiceField(label=_("Receiving level"), choices=TargetLevel.choices)
    duty_item_code = forms.ChoiceField(label=_("Duty-list matter"), required=False)
    lead_unit_name = forms.CharField(label=_("Lead unit (for assisting matters)"), max_length=120, required=False)
    resources = forms.CharField(label=_("Resources that come with it (费随事转)"), max_length=300, required=False)
    approval_reason = forms.CharField(
        label=_("Reason for approval (for matters not on the lists)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE_INPUT)
    due_on = forms.DateField(label=_("Deadline"), widget=DATE_INPUT)
    recurrence = forms.ChoiceField(label=_("Recurrence"), choices=Recurrence.choices)
    recurrence_until = forms.DateField(label=_("Repeats until"), required=False, widget=DATE_INPUT)
    effort_basis = forms.ChoiceField(
        label=_("Effort counted"), required=False, choices=[("", _("default for the kind")), *EffortBasis.choices]
    )
    evidence = forms.MultipleChoiceField(
        label=_("Evidence demanded"),
        required=False,
        choices=[c for c in EvidenceKind.choices if c[0] != EvidenceKind.NONE],
        widget=forms.CheckboxSelectMultiple,
    )
    catalogue_items = forms.MultipleChoiceField(
        label=_("Form fields from the catalogue"), required=False, widget=forms.CheckboxSelectMultiple
    )
    extra_fields = forms.CharField(
        label=_("Other form fields, one per line (一事一报)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    previous = forms.IntegerField(required=False, widget=forms.HiddenInput)  # the refused request edited here

    def __init__(self, *args, user, duty_items=(), **kwargs):
        super().__init__(*args, **kwargs)
        senders = sender_units(user)
        self.fields["sender"].queryset = senders
        if len(senders) == 1:  # most people send for one unit: no empty choice to pick first
            self.fields["sender"].empty_label = None
        self.fields["target_region"].choices = [
            (r.pk, f"{r.name} ({r.get_level_display()})") for r in region_choices(user)
        ]
        self.fields["duty_item_code"].choices = [("", _("— not on the duty list —"))] + [
            (item.code, f"{item.code} {item.matter} · {item.get_admission_display()}") for item in duty_items
        ]
        self.fields["catalogue_items"].choices = [
            (i.code, f"{i.name} ({i.get_source_display()})") for i in catalogue_list()
        ]

    def clean(self):
        data = super().clean()
        has_fields = data.get("catalogue_items") or data.get("extra_fields", "").strip()
        if data.get("kind") == TaskKind.FORM and not has_fields:
            self.add_error("catalogue_items", _("A form needs at least one field."))
        if data.get("starts_on") and data.get("due_on") and data["due_on"] < data["starts_on"]:
            self.add_error("due_on", _("The deadline comes before the start."))
        if data.get("recurrence") and data["recurrence"] != Recurrence.ONCE and not data.get("recurrence_until"):
            self.add_error("recurrence_until", _("A recurring task needs a last day."))
        return data

    def field_specs(self) -> list[FieldSpec]:
        data = self.cleaned_data
        if data["kind"] != TaskKind.FORM:
            return []
        names = dict(catalogue_list().values_list("code", "name"))
        specs = [FieldSpec(names[code], code) for code in data["catalogue_items"]]
        specs += [FieldSpec(line.strip()) for line in data["extra_fields"].splitlines() if line.strip()]
        return specs

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "sender": data["sender"],
            "title": data["title"],
            "kind": data["kind"],
            "content": data["content"],
            "target_level": data["target_level"],
            "duty_item_code": data["duty_item_code"],
            "lead_unit_name": data["lead_unit_name"],
            "resources": data["resources"],
            "approval_reason": data["approval_reason"],
            "starts_at": at_local(data["starts_on"], START_OF_DAY),
            "due_at": at_local(data["due_on"], CLOSE_OF_BUSINESS),
            "recurrence": data["recurrence"],
            "recurrence_until": data["recurrence_until"],
            "evidence": data["evidence"],
            "fields": self.field_specs(),
            "effort_basis": data["effort_basis"],
        }


#: refusals that the notice period explains: the edited request starts late enough
NOTICE_RULES = ("late_application", "unlisted_no_application")


def initial_from(task: Task, *, earliest_start: date) -> dict:
    """The form filled in from a refused request, to edit and send again; a start date too soon for the notice
    moves to the earliest one that gives it (the deadline keeps its distance from the start)."""
    starts_on = timezone.localtime(task.starts_at).date()
    length = timezone.localtime(task.due_at).date() - starts_on
    if task.decision_rule in NOTICE_RULES and starts_on < earliest_start:
        starts_on = earliest_start
    fields = list(task.fields.select_related("item").order_by("position"))
    return {
        "previous": task.pk,
        "sender": task.sender_id,
        "title": task.title,
        "kind": task.kind,
        "content": task.content,
        "target_region": task.target_region_id,
        "target_level": task.target_level,
        "duty_item_code": task.duty_item_code,
        "lead_unit_name": task.lead_unit_name,
        "resources": task.resources,
        "approval_reason": task.approval_reason,
        "starts_on": starts_on,
        "due_on": starts_on + max(length, timedelta(0)),
        "recurrence": task.recurrence,
        "recurrence_until": task.recurrence_until,
        "effort_basis": task.effort_basis,
        "evidence": list(task.evidence),
        "catalogue_items": [f.item.code for f in fields if f.item is not None],
        "extra_fields": "\n".join(f.label for f in fields if f.item is None),
    }


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"), coerce=lambda v: v == "1", choices=[("1", _("Approve")), ("0", _("Refuse"))]
    )
    reason = forms.CharField(
        label=_("Written reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("A decision needs a written reason.")},
    )
