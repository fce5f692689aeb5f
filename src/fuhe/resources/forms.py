"""Input forms of the resource pages (validation of shapes only; the services decide and name the field)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from fuhe.resources.core.errors import ErrorCode
from fuhe.resources.models import DemandPriority, DemandSource, ResourceKind
from fuhe.resources.services.common import ENGINE_MESSAGES

WINDOW_SLOTS = 3  # availability windows offered on the form (the importer takes any number)
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LIST_SPLIT = re.compile(r"[、,，;；\s]+")


def datetime_field(label, *, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


def whole_number_field(label, *, initial=None) -> forms.IntegerField:
    """A whole number; its sign is the service's to judge (a negative quantity gets the engine's own message)."""
    return forms.IntegerField(label=label, initial=initial, widget=forms.NumberInput(attrs={"step": 1}))


class ResourceForm(forms.Form):
    """Register or change a resource. The owner is chosen only when registering (a unit the user acts for)."""

    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, empty_label=None)
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=ResourceKind.choices)
    capacity = whole_number_field(_("Capacity (units)"), initial=1)
    unit_label = forms.CharField(label=_("Unit"), max_length=20, required=False)
    expires_on = forms.DateField(label=_("Expires on (stockpile)"), required=False, widget=DATE_INPUT)
    skills = forms.CharField(label=_("Skills (separated by 、 or commas)"), max_length=300, required=False)
    latitude = forms.DecimalField(label=_("Latitude"), max_digits=9, decimal_places=6, required=False)
    longitude = forms.DecimalField(label=_("Longitude"), max_digits=9, decimal_places=6, required=False)
    service_radius_km = forms.DecimalField(label=_("Service radius (km)"), required=False, decimal_places=2)
    unit_cost = forms.DecimalField(label=_("Cost per unit (yuan)"), required=False, decimal_places=2)
    allowed_priorities = forms.TypedMultipleChoiceField(
        label=_("Only for demands of priority (none ticked: any)"),
        choices=DemandPriority.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    conditions = forms.CharField(
        label=_("Conditions of use"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    contact_name = forms.CharField(label=_("Contact"), max_length=60, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)
    is_active = forms.BooleanField(label=_("Active (offered to the matching)"), required=False, initial=True)

    def __init__(self, *args, owners=None, is_new: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if is_new:
            self.fields["owner"].queryset = owners
            del self.fields["is_active"]
        else:
            del self.fields["owner"]
        for number in range(1, WINDOW_SLOTS + 1):
            self.fields[f"window_start_{number}"] = datetime_field(
                _("Available from (window %(n)s)") % {"n": number}, required=False
            )
            self.fields[f"window_end_{number}"] = datetime_field(
                _("Available until (window %(n)s)") % {"n": number}, required=False
            )

    def clean(self):
        data = super().clean()
        windows = []
        for number in range(1, WINDOW_SLOTS + 1):
            start, end = data.get(f"window_start_{number}"), data.get(f"window_end_{number}")
            if start is None and end is None:
                continue
            if start is None or end is None:
                field = f"window_start_{number}" if start is None else f"window_end_{number}"
                self.add_error(field, _("Give both the start and the end of the window."))
                continue
            if end <= start:
                self.add_error(f"window_end_{number}", ENGINE_MESSAGES[ErrorCode.WINDOW_REVERSED])
                continue
            windows.append((start, end))
        data["windows"] = windows
        return data

    def service_values(self) -> dict:
        """The cleaned fields as ``resource_register`` / ``resource_update`` take them."""
        data = self.cleaned_data
        values = {
            key: data.get(key)
            for key in (
                "name",
                "kind",
                "capacity",
                "unit_label",
                "expires_on",
                "latitude",
                "longitude",
                "service_radius_km",
                "conditions",
                "contact_name",
                "contact_phone",
                "allowed_priorities",
            )
        }
        values["unit_cost"] = data.get("unit_cost") or 0
        values["skills"] = [part for part in LIST_SPLIT.split(data.get("skills") or "") if part]
        values["windows"] = data.get("windows", [])
        if "is_active" in self.fields:
            values["is_active"] = data.get("is_active", False)
        return values

    @classmethod
    def initial_from(cls, resource) -> dict:
        initial = {
            "name": resource.name,
            "kind": resource.kind,
            "capacity": resource.capacity,
            "unit_label": resource.unit_label,
            "expires_on": resource.expires_on,
            "skills": "、".join(resource.skills),
            "latitude": resource.latitude,
            "longitude": resource.longitude,
            "service_radius_km": resource.service_radius_km,
            "unit_cost": resource.unit_cost,
            "allowed_priorities": resource.allowed_priorities,
            "conditions": resource.conditions,
            "contact_name": resource.contact_name,
            "contact_phone": resource.contact_phone,
            "is_active": resource.is_active,
        }
        for number, window in enumerate(resource.windows.all()[:WINDOW_SLOTS], start=1):
            initial[f"window_start_{number}"] = window.starts_at
            initial[f"window_end_{number}"] = window.ends_at
        return initial


class DemandForm(forms.Form):
    """A demand raised by hand (a deliberation resolution, an emergency, a plan); from a case see ``CaseDemandForm``."""

    title = forms.CharField(label=_("What is needed"), max_length=200)
    source = forms.ChoiceField(label=_("Raised from"), choices=[c for c in DemandSource.choices if c[0] != "case"])
    source_reference = forms.CharField(label=_("Reference (resolution or plan number)"), max_length=120, required=False)
    priority = forms.TypedChoiceField(
        label=_("Priority"), choices=DemandPriority.choices, coerce=int, initial=DemandPriority.BASIC_LIVELIHOOD
    )
    kind = forms.ChoiceField(label=_("Kind of resource"), choices=ResourceKind.choices)
    skill = forms.CharField(label=_("Skill needed (optional)"), max_length=60, required=False)
    quantity = whole_number_field(_("Quantity (units)"), initial=1)
    window_start = datetime_field(_("Needed from"))
    window_end = datetime_field(_("Needed until"))
    duration_minutes = whole_number_field(_("For how long (minutes, 0 for a delivery)"), initial=0)
    region = forms.TypedChoiceField(label=_("Region"), coerce=int)
    place_label = forms.CharField(label=_("Place"), max_length=200, required=False)
    latitude = forms.DecimalField(label=_("Latitude"), max_digits=9, decimal_places=6, required=False)
    longitude = forms.DecimalField(label=_("Longitude"), max_digits=9, decimal_places=6, required=False)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(region.pk, region.name) for region in regions]

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data["region_id"] = data.pop("region")
        return data


class CaseDemandForm(forms.Form):
    """The one-step form on a case page: what kind, how many (title, place, priority and window come from the
    case)."""

    kind = forms.ChoiceField(label=_("Kind of resource"), choices=ResourceKind.choices)
    quantity = whole_number_field(_("Quantity (units)"), initial=1)
    skill = forms.CharField(label=_("Skill needed (optional)"), max_length=60, required=False)


class ImportForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, empty_label=None)
    file = forms.FileField(label=_("Excel workbook (.xlsx)"))

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class RunForm(forms.Form):
    region = forms.TypedChoiceField(label=_("Region"), coerce=int)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [(region.pk, region.name) for region in regions]
