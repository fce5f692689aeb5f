"""Routing models (versioned classifiers) and the training data the platform's own dispatching produces."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

#: notes the platform itself writes on a model version, stored as "fuhe:<code>[:<argument>]" and said in the
#: reader's language when shown (a note typed by a person is shown as typed)
SYSTEM_NOTES = {
    "demo": _("demo: the duty list's keywords and typical cases, and the demo's dispatch history"),
    "background": _("retrained in the background"),
    "nightly": _("nightly retrain"),
    "requested": _("retrain requested by %(user)s"),
}
#: what earlier versions stored in English, read as the codes above
_LEGACY_NOTES = {
    "demo: duty-list keywords and the demo's dispatch history": "demo",
    "background retrain": "background",
    "nightly retrain": "nightly",
}


def system_note(code: str, argument: str = "") -> str:
    """The stored form of a note the platform writes (``SYSTEM_NOTES``)."""
    return f"fuhe:{code}:{argument}" if argument else f"fuhe:{code}"


def note_text(note: str) -> str:
    """A model version's note as the reader should see it: a platform note in the active language, else as typed."""
    code, argument = "", ""
    if note.startswith("fuhe:"):
        code, _sep, argument = note[len("fuhe:") :].partition(":")
    elif note in _LEGACY_NOTES:
        code = _LEGACY_NOTES[note]
    elif note.startswith("requested by "):
        code, argument = "requested", note[len("requested by ") :]
    if code not in SYSTEM_NOTES:
        return note
    return str(SYSTEM_NOTES[code]) % {"user": argument} if code == "requested" else str(SYSTEM_NOTES[code])


class RoutingModel(models.Model):
    """One trained classifier: labels are duty-item codes; the blob is ``TextClassifier.to_bytes()``."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    duty_list = models.ForeignKey(
        "duties.DutyList",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("duty list"),
    )
    trained_on = models.PositiveIntegerField(_("examples"), default=0)
    keyword_documents = models.PositiveIntegerField(_("keyword documents"), default=0)
    classes = models.JSONField(_("classes"), default=list)
    blob = models.BinaryField(_("model"))
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-version"]
        verbose_name = _("routing model")
        verbose_name_plural = _("routing models")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="one_active_routing_model"
            )
        ]

    def __str__(self) -> str:
        return f"routing model v{self.version}"

    @property
    def note_text(self) -> str:
        return note_text(self.note)


class ExampleSource(models.TextChoices):
    DISPATCH = "dispatch", _("dispatch")
    REASSIGN = "reassign", _("reassignment")
    CONFIRMATION = "confirmation", _("recommendation confirmed")
    CORRECTION = "correction", _("dispatcher correction")
    SEED = "seed", _("seed")


class RoutingExample(models.Model):
    """A message and who finally owned it: training data from the dispatch history and corrections."""

    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    event = models.OneToOneField("cases.CaseEvent", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=120, blank=True, default="")
    text = models.TextField(_("text"))
    duty_item_code = models.CharField(
        _("duty item"),
        max_length=20,
        blank=True,
        default="",
        help_text=_("Empty when no item of the list has this owner."),
    )
    owner_key = models.CharField(_("owner kind"), max_length=40, blank=True, default="")
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recommended_code = models.CharField(_("recommended item"), max_length=20, blank=True, default="")
    recommended_unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(_("source"), max_length=14, choices=ExampleSource.choices)
    is_current = models.BooleanField(
        _("current"), default=True, help_text=_("False once a later dispatch or reassignment of the case exists.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("routing example")
        verbose_name_plural = _("routing examples")
        indexes = [models.Index(fields=["is_current", "duty_item_code"])]

    def __str__(self) -> str:
        return f"{self.source} {self.duty_item_code or self.owner_key}"

    @property
    def is_correction(self) -> bool:
        return self.source == ExampleSource.CORRECTION
