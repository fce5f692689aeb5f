"""Input forms of the funding pages (shape only; the services decide and name the field they refuse)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fuhe.org.models import UnitKind

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CRITERIA_ROWS = 5
DELIVERABLE_ROWS = 3
DEFAULT_CRITERIA = [
    (_("Need and fit with the demand"), 30),
    (_("Feasibility of the plan"), 30),
    (_("Value for money"), 20),
    (_("Capacity of the organisation"), 20),
]
APPLICANT_KINDS = [
    UnitKind.SOCIAL_ORG,
    UnitKind.VOLUNTEER_TEAM,
    UnitKind.PROPERTY_COMPANY,
    UnitKind.ENTERPRISE,
    UnitKind.RESIDENTS_COMMITTEE,
    UnitKind.VILLAGE_COMMITTEE,
    UnitKind.PARTY_ORG,
]


class CallForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Fund owner"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    budget = forms.CharField(label=_("Budget (yuan)"), max_length=20)
    eligible_kinds = forms.MultipleChoiceField(
        label=_("Who may apply"),
        choices=[(kind.value, kind.label) for kind in APPLICANT_KINDS],
        widget=forms.CheckboxSelectMultiple,
    )
    region = forms.ModelChoiceField(label=_("Region served"), queryset=None, required=False)
    demands = forms.ModelMultipleChoiceField(
        label=_("Demands addressed"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    opens_on = forms.DateField(label=_("Applications open on"), widget=DATE_INPUT)
    closes_on = forms.DateField(label=_("Applications close on"), widget=DATE_INPUT)
    minimum_score = forms.IntegerField(
        label=_("Minimum total score to be awarded"), min_value=0, max_value=100, initial=60
    )
    panel = forms.ModelMultipleChoiceField(label=_("Panel"), queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, owners, regions, demands, panel, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        if len(owners) == 1:
            self.fields["owner"].empty_label = None  # the one unit the user acts for
        self.fields["region"].queryset = regions
        self.fields["demands"].queryset = demands
        self.fields["panel"].queryset = panel
        self.fields["panel"].label_from_instance = lambda user: (
            f"{user.display_name or user.username} ({user.username})"
        )
        today = timezone.localdate()
        self.fields["opens_on"].initial = today
        self.fields["closes_on"].initial = today + timedelta(days=30)
        for i in range(1, CRITERIA_ROWS + 1):
            name, weight = DEFAULT_CRITERIA[i - 1] if i <= len(DEFAULT_CRITERIA) else ("", None)
            self.fields[f"criterion_name_{i}"] = forms.CharField(
                label=_("Criterion %(n)s") % {"n": i}, required=False, max_length=120, initial=name
            )
            self.fields[f"criterion_weight_{i}"] = forms.IntegerField(
                label=_("Weight %(n)s") % {"n": i}, required=False, min_value=0, max_value=100, initial=weight
            )

    def criteria_rows(self):
        return [(self[f"criterion_name_{i}"], self[f"criterion_weight_{i}"]) for i in range(1, CRITERIA_ROWS + 1)]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "owner_id": data["owner"].pk,
            "title": data["title"],
            "description": data["description"],
            "budget": data["budget"],
            "eligible_kinds": data["eligible_kinds"],
            "region_id": data["region"].pk if data.get("region") else None,
            "demand_ids": [demand.pk for demand in data.get("demands") or []],
            "opens_on": data["opens_on"],
            "closes_on": data["closes_on"],
            "minimum_score": data.get("minimum_score") or 0,
            "panel_ids": [user.pk for user in data["panel"]],
            "criteria": [
                (data.get(f"criterion_name_{i}") or "", data.get(f"criterion_weight_{i}") or 0)
                for i in range(1, CRITERIA_ROWS + 1)
            ],
        }


class ApplicationForm(forms.Form):
    applicant = forms.ModelChoiceField(label=_("Applying organisation"), queryset=None)
    demand = forms.ModelChoiceField(label=_("Demand addressed"), queryset=None, required=False)
    title = forms.CharField(label=_("Project title"), max_length=200)
    plan = forms.CharField(label=_("Plan"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000)
    requested = forms.CharField(label=_("Requested amount (yuan)"), max_length=20)

    def __init__(self, *args, applicants, demands, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant"].queryset = applicants
        if len(applicants) == 1:
            self.fields["applicant"].empty_label = None
        self.fields["demand"].queryset = demands
        for i in range(1, DELIVERABLE_ROWS + 1):
            self.fields[f"deliverable_{i}"] = forms.CharField(
                label=_("Deliverable %(n)s") % {"n": i}, required=False, max_length=200
            )
            self.fields[f"quantity_{i}"] = forms.IntegerField(label=_("Quantity"), required=False, min_value=0)
            self.fields[f"unit_label_{i}"] = forms.CharField(label=_("Unit"), required=False, max_length=20)
            self.fields[f"due_on_{i}"] = forms.DateField(label=_("Due on"), required=False, widget=DATE_INPUT)

    def deliverable_rows(self):
        return [
            (self[f"deliverable_{i}"], self[f"quantity_{i}"], self[f"unit_label_{i}"], self[f"due_on_{i}"])
            for i in range(1, DELIVERABLE_ROWS + 1)
        ]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "applicant_id": data["applicant"].pk,
            "demand_id": data["demand"].pk if data.get("demand") else None,
            "title": data["title"],
            "plan": data["plan"],
            "requested": data["requested"],
            "deliverables": [
                {
                    "description": data.get(f"deliverable_{i}") or "",
                    "quantity": data.get(f"quantity_{i}") if data.get(f"quantity_{i}") is not None else "",
                    "unit_label": data.get(f"unit_label_{i}") or "",
                    "due_on": data.get(f"due_on_{i}") or "",
                }
                for i in range(1, DELIVERABLE_ROWS + 1)
            ],
        }


class ScoreForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the correction"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=f"{criterion.name} ({criterion.weight}%)", min_value=0, max_value=100
            )

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"score_{c.pk}"] for c in self.criteria}


class TrancheForm(forms.Form):
    amount = forms.CharField(label=_("Amount (yuan)"), max_length=20)
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE_INPUT, initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class SpendingForm(forms.Form):
    amount = forms.CharField(label=_("Amount (yuan)"), max_length=20)
    spent_on = forms.DateField(label=_("Spent on"), widget=DATE_INPUT, initial=timezone.localdate)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    evidence = forms.FileField(label=_("Evidence (optional)"), required=False)


class ReportForm(forms.Form):
    delivered_quantity = forms.IntegerField(label=_("Delivered quantity"), min_value=1)
    note = forms.CharField(label=_("Delivery note"), required=False, max_length=4000)
