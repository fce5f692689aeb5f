"""Forms of the volunteer pages: they parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fuhe.participation.core.volunteering import CORRECTABLE
from fuhe.participation.models import CertificationLevel, ServiceField

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class ServiceRequestForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Issuing organisation"), coerce=int)
    title = forms.CharField(label=_("Title"), max_length=120)
    field = forms.ChoiceField(label=_("Field of service"), choices=ServiceField.choices)
    min_level = forms.TypedChoiceField(
        label=_("Minimum level"), choices=CertificationLevel.choices, coerce=int, initial=CertificationLevel.BASIC
    )
    region = forms.TypedChoiceField(label=_("Region"), coerce=int)
    place = forms.CharField(label=_("Place"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS)
    expected_hours = forms.DecimalField(label=_("Expected hours"), max_digits=4, decimal_places=1, initial=2)
    points_per_hour = forms.IntegerField(label=_("Points per hour"), initial=10)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    case = forms.IntegerField(widget=forms.HiddenInput, required=False)
    demand = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, units=(), regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]
        self.fields["region"].choices = [(r.pk, r.name) for r in regions]


class ServiceRecordForm(forms.Form):
    content = forms.CharField(label=_("Service content"), widget=forms.Textarea(attrs={"rows": 3}))
    place = forms.CharField(label=_("Place"), max_length=200)
    started_at = forms.DateTimeField(label=_("Started at"), widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS)
    hours = forms.DecimalField(label=_("Hours"), max_digits=4, decimal_places=1)


class SignForm(forms.Form):
    confirmed = forms.BooleanField(
        label=_("I confirm, as the task's owner, that this service took place as recorded."), required=False
    )


CORRECTABLE_LABELS = {
    "content": _("Service content"),
    "place": _("Place"),
    "started_at": _("Started at"),
    "hours": _("Hours"),
}


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(label=_("Part to correct"), choices=[(f, CORRECTABLE_LABELS[f]) for f in CORRECTABLE])
    new_value = forms.CharField(label=_("Corrected value"), max_length=400)
    reason = forms.CharField(label=_("Reason"), max_length=400)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=400)


class CertificationForm(forms.Form):
    volunteer = forms.CharField(label=_("Volunteer's sign-in name"), max_length=150)
    issuer = forms.TypedChoiceField(label=_("Issuing body"), coerce=int)
    field = forms.ChoiceField(label=_("Field of service"))
    level = forms.TypedChoiceField(label=_("Level"), choices=CertificationLevel.choices, coerce=int)
    evidence = forms.CharField(label=_("Evidence"), max_length=400)
    evidence_file = forms.FileField(label=_("Evidence file (optional)"), required=False)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE_INPUT)
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE_INPUT)

    def __init__(self, *args, units=(), fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].choices = [(u.pk, u.name) for u in units]
        self.fields["field"].choices = [(f, ServiceField(f).label) for f in fields]


class RedeemForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), initial=1)


class RedemptionItemForm(forms.Form):
    owner = forms.TypedChoiceField(label=_("Provider"), coerce=int)
    name = forms.CharField(label=_("Item"), max_length=120)
    description = forms.CharField(label=_("Description"), max_length=400, required=False)
    points = forms.IntegerField(label=_("Points"))
    stock = forms.IntegerField(label=_("Stock"))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [(u.pk, u.name) for u in units]
