"""Forms of the cases context: validation at the edge, one service call behind each."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fuhe.cases.models import Category, DissatisfactionReason, ReplyOutcome, RequestType, Urgency
from fuhe.cases.services.intake import access_secret_normalize, is_access_secret
from fuhe.org.regions import region_outlines


class ResidentReportForm(forms.Form):
    """At most two required fields: what, and where (an address, or a point picked on the map)."""

    text = forms.CharField(
        label=_("What is the problem?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
    )
    address = forms.CharField(label=_("Where? (address or landmark)"), max_length=200, required=False)
    latitude = forms.DecimalField(
        label=_("latitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        widget=forms.HiddenInput,
    )
    longitude = forms.DecimalField(
        label=_("longitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        widget=forms.HiddenInput,
    )
    phone = forms.RegexField(
        label=_("Phone (optional, for the call back)"),
        regex=r"^1[3-9]\d{9}$",
        required=False,
        error_messages={"invalid": _("Enter an 11-digit mobile number.")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    is_public = forms.BooleanField(
        label=_("Publish a summary of my report on the public list"),
        help_text=_("Not ticked: only the staff handling your report see it."),
        required=False,
        initial=False,
    )
    submission_id = forms.CharField(widget=forms.HiddenInput, max_length=80)

    def map_outlines(self) -> list[dict]:
        """The base map of the pin picker: the served districts' and streets' boundaries (no tiles needed)."""
        return region_outlines()

    def clean(self):
        data = super().clean()
        has_point = data.get("latitude") is not None and data.get("longitude") is not None
        if not (data.get("address") or "").strip() and not has_point:
            self.add_error("address", _("Tell us where: type an address or pick a point on the map."))
        return data


class StaffIntakeForm(forms.Form):
    """The hotline operator's form (and the grid worker's patrol report)."""

    text = forms.CharField(label=_("Content"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    region = forms.TypedChoiceField(label=_("Community / grid"), coerce=int, required=False, empty_value=None)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.filter(level=3), required=False)
    request_type = forms.ChoiceField(label=_("Request type"), choices=RequestType.choices, initial=RequestType.HELP)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    reporter_name = forms.CharField(label=_("Caller name"), max_length=60, required=False)
    reporter_phone = forms.RegexField(
        label=_("Caller phone"), regex=r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$", required=False
    )
    is_public = forms.BooleanField(
        label=_("The caller asked to publish a summary on the public list (names and numbers are never shown)"),
        required=False,
        initial=False,
    )
    submission_id = forms.CharField(widget=forms.HiddenInput, max_length=80)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("— resolve from the address —")), *regions]

    def clean(self):
        data = super().clean()
        if not (data.get("address") or "").strip() and not data.get("region"):
            self.add_error("address", _("Give an address or choose the community/grid."))
        return data


class ActionForm(forms.Form):
    action = forms.CharField(max_length=24)
    reason = forms.CharField(max_length=2000, required=False)
    unit = forms.IntegerField(required=False)
    outcome = forms.ChoiceField(choices=ReplyOutcome.choices, required=False)
    text = forms.CharField(max_length=4000, required=False)
    days = forms.IntegerField(required=False, min_value=1, max_value=15)
    into = forms.CharField(max_length=16, required=False)
    departments = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    resolved = forms.NullBooleanField(required=False)
    satisfied = forms.NullBooleanField(required=False)
    reasons = forms.MultipleChoiceField(choices=DissatisfactionReason.choices, required=False)


class RatingForm(forms.Form):
    resolved = forms.TypedChoiceField(
        label=_("Was the problem resolved?"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("Yes, resolved")), ("no", _("No, not resolved"))],
        widget=forms.RadioSelect,
    )
    satisfied = forms.TypedChoiceField(
        label=_("Are you satisfied with how it was handled?"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("Satisfied")), ("no", _("Not satisfied"))],
        widget=forms.RadioSelect,
    )
    reasons = forms.MultipleChoiceField(
        label=_("If not satisfied: why?"),
        choices=DissatisfactionReason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = forms.CharField(
        label=_("In your own words (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if data.get("satisfied") is False and not data.get("reasons"):
            self.add_error("reasons", _("Please tell us why you are not satisfied."))
        return data


class TrackForm(forms.Form):
    """The tracking code, with the last four digits of the phone left with the report or, for a resident who left
    none, the query password (查询密码) shown once after reporting."""

    code = forms.CharField(label=_("Tracking code"), max_length=16)
    phone_last4 = forms.RegexField(
        label=_("Last four digits of your phone"),
        regex=r"^\d{4}$",
        required=False,
        error_messages={"invalid": _("Enter the last four digits of the phone you left, e.g. 5678.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 4}),
    )
    password = forms.CharField(
        label=_("Query password"),
        help_text=_("If you left no phone: the 12 letters and digits shown after you reported, e.g. ABCD-EFGH-JKMN."),
        max_length=24,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "class": "mono"}
        ),
    )

    def clean_password(self):
        password = access_secret_normalize(self.cleaned_data.get("password") or "")
        if password and not is_access_secret(password):
            raise forms.ValidationError(
                _("A query password has 12 letters and digits, e.g. ABCD-EFGH-JKMN."), code="invalid"
            )
        return password

    def clean(self):
        data = super().clean()
        given = data.get("phone_last4") or data.get("password")
        if not given and not self.has_error("phone_last4") and not self.has_error("password"):
            self.add_error(None, _("Enter the last four digits of your phone, or your query password."))
        return data
