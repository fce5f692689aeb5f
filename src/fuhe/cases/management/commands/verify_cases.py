"""fuhe verify_cases: every case's state and rating must be what its own timeline says (edits behind the back)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from fuhe.cases.core.history import Mismatch
from fuhe.cases.labels import state_label
from fuhe.cases.models import Case
from fuhe.cases.selectors import case_history_mismatches

MAX_LISTED = 50
#: the fields the check compares, as a reader names them
FIELD_LABELS = {
    "state": pgettext_lazy("case field", "State"),
    "rating_resolved": pgettext_lazy("case field", "Rated as resolved"),
    "rating_satisfied": pgettext_lazy("case field", "Rated as satisfied"),
}


def _value_text(field: str, value: object) -> str:
    """A stored or replayed value as the reader reads it: a state's name, yes/no, or "not rated"."""
    if value is None:
        return _("not rated")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return state_label(str(value)) if field == "state" else str(value)


def mismatch_text(mismatch: Mismatch, tracking_code: str = "") -> str:
    """One difference in the reader's language: the case (its tracking code, else its id), the field, the stored
    value and what the events say."""
    return _("Case %(case)s: %(field)s is “%(stored)s”, its events say “%(events)s”.") % {
        "case": tracking_code or f"#{mismatch.case_id}",
        "field": FIELD_LABELS.get(mismatch.field, mismatch.field),
        "stored": _value_text(mismatch.field, mismatch.stored),
        "events": _value_text(mismatch.field, mismatch.from_events),
    }


class Command(BaseCommand):
    help = (
        "Check that every case's state and rating equal the replay of its events (a row edited in the database "
        "directly does not); non-zero exit on any difference. Pair it with 'fuhe audit verify'."
    )

    def handle(self, *args, **options):
        found = 0
        listed: list[Mismatch] = []
        for mismatch in case_history_mismatches():
            found += 1
            if found <= MAX_LISTED:
                listed.append(mismatch)
        codes = dict(Case.objects.filter(pk__in={m.case_id for m in listed}).values_list("pk", "tracking_code"))
        for mismatch in listed:
            self.stderr.write(f"  {mismatch_text(mismatch, codes.get(mismatch.case_id, ''))}")
        if found:
            raise CommandError(
                ngettext(
                    "%(count)s field of a case differs from its events",
                    "%(count)s fields of cases differ from their events",
                    found,
                )
                % {"count": found}
            )
        self.stdout.write(self.style.SUCCESS(_("Every case matches its events.")))
