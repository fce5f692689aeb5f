from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fuhe.duties.core.sheet import MAX_EXAMPLE_LENGTH, MAX_EXAMPLES, examples_text, split_examples, split_list
from fuhe.duties.models import DutyItem
from fuhe.org.models import DepartmentType


class ImportForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    region = forms.TypedChoiceField(label=_("Applies in"), coerce=int)
    file = forms.FileField(label=_("Excel workbook (.xlsx)"))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = list(regions)


class DutyItemForm(forms.ModelForm):
    keywords_text = forms.CharField(label=_("Keywords"), required=False, help_text=_("Separated by commas or 、"))
    examples_text = forms.CharField(
        label=_("Typical cases"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One resident message per line, as “title｜text”; routing learns the item from them."),
    )
    assisting = forms.MultipleChoiceField(
        label=_("Assisting departments"),
        required=False,
        choices=DepartmentType.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = DutyItem
        fields = ["code", "matter", "category", "owner_level", "lead_department_type", "basis", "admission", "note"]
        widgets = {"basis": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keywords_text"].initial = "、".join(self.instance.keywords or [])
        self.fields["examples_text"].initial = examples_text(self.instance.examples or [])
        self.fields["assisting"].initial = list(self.instance.assisting_department_types or [])
        self.fields["category"].queryset = self.fields["category"].queryset.filter(level__lte=3)

    def clean_examples_text(self):
        examples = split_examples(self.cleaned_data.get("examples_text", ""))
        if len(examples) > MAX_EXAMPLES:
            raise forms.ValidationError(_("At most %(limit)s typical cases.") % {"limit": MAX_EXAMPLES})
        for number, example in enumerate(examples, start=1):
            if len(example["title"]) + len(example["text"]) > MAX_EXAMPLE_LENGTH:
                raise forms.ValidationError(
                    _("Typical case %(number)s is longer than %(limit)s characters.")
                    % {"number": number, "limit": MAX_EXAMPLE_LENGTH}
                )
        return examples

    def save(self, commit=False):
        item = super().save(commit=False)
        item.keywords = split_list(self.cleaned_data.get("keywords_text", ""))
        item.examples = self.cleaned_data.get("examples_text") or []
        item.assisting_department_types = list(self.cleaned_data.get("assisting") or [])
        return item
