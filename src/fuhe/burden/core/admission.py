"""The admission gate (社区工作事项准入) as a decision table. No Django.

A task sent to grassroots units is checked against the list category its matter has *for the target level*:

=================  ============================================  =====================================
list category      condition                                     outcome
=================  ============================================  =====================================
any                demands a function the 2026 app rules forbid  refused (cites 国办函〔2026〕12号)
excluded (禁入)     —                                             refused (banned item)
owned (依法履职)    —                                             admitted
assists (协助)      lead unit named and resources declared        admitted as assistance (费随事转)
assists (协助)      lead unit or resources missing                refused, reason names what is missing
none / unlisted    sender applied with a written reason,          pending approval by the designated body
                   on time (N working days before the start)
none / unlisted    applied too late                              refused (late application)
none / unlisted    no application                                refused, reason tells how to apply
=================  ============================================  =====================================

An emergency task (declared by the sender) never passes the gate on that ground: emergencies go through the
*bypass*, which a receiving unit declares and must explain afterwards (事后备案).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ListCategory(StrEnum):
    OWNED = "owned"
    ASSISTS = "assists"
    EXCLUDED = "excluded"
    NONE = "none"  # on the duty list but not a matter of the target level
    UNLISTED = "unlisted"  # not on the duty list in force at all


class Outcome(StrEnum):
    ADMITTED = "admitted"
    ADMITTED_ASSISTING = "admitted_assisting"
    PENDING_APPROVAL = "pending_approval"
    REFUSED = "refused"

    @property
    def reaches_units(self) -> bool:
        return self in (Outcome.ADMITTED, Outcome.ADMITTED_ASSISTING)


@dataclass(frozen=True)
class GateInput:
    category: ListCategory
    forbidden_demands: tuple[str, ...] = ()  # codes of evidence the 2026 rules forbid (see flags.FORBIDDEN)
    lead_unit_named: bool = False
    resources_declared: bool = False
    approval_reason: str = ""
    working_days_before_start: int | None = None  # from the application to the task's start
    application_period_days: int = 30


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reasons: tuple[str, ...] = field(default_factory=tuple)
    rule: str = ""  # a stable code for the row of the table that decided
    params: tuple[tuple[str, str | int | bool], ...] = ()  # what the reason names, for a translated display

    @property
    def reason_text(self) -> str:
        return " ".join(self.reasons)


def decide(given: GateInput) -> Decision:
    """One row of the table above; the first matching row wins. Reasons are English sentences (translated
    for display) sent back to the sender."""
    if given.forbidden_demands:
        listed = ", ".join(given.forbidden_demands)
        return Decision(
            Outcome.REFUSED,
            (
                f"The task demands what the 2026 rules on government apps forbid ({listed}); "
                "remove these demands and send it again.",
            ),
            "forbidden_demand",
            (("demands", listed),),
        )
    match given.category:
        case ListCategory.EXCLUDED:
            return Decision(
                Outcome.REFUSED, ("The matter is on the banned list for this level (禁入事项).",), "excluded"
            )
        case ListCategory.OWNED:
            return Decision(Outcome.ADMITTED, ("The matter is one of the level's own duties (依法履职).",), "owned")
        case ListCategory.ASSISTS:
            missing = []
            if not given.lead_unit_named:
                missing.append("the lead unit")
            if not given.resources_declared:
                missing.append("the resources that come with it (费随事转: money, people, guidance)")
            if missing:
                return Decision(
                    Outcome.REFUSED,
                    ("The level only assists with this matter; name " + " and ".join(missing) + ".",),
                    "assists_incomplete",
                    (("lead_unit", not given.lead_unit_named), ("resources", not given.resources_declared)),
                )
            return Decision(
                Outcome.ADMITTED_ASSISTING,
                ("The level assists with this matter; the lead unit and resources are named (费随事转).",),
                "assists",
            )
    # none or unlisted
    if not given.approval_reason.strip():
        return Decision(
            Outcome.REFUSED,
            (
                "The matter is not on the level's admission lists; apply for approval with a written reason, "
                f"at least {given.application_period_days} working days before the start.",
            ),
            "unlisted_no_application",
            (("days", given.application_period_days),),
        )
    if given.working_days_before_start is not None and given.working_days_before_start < given.application_period_days:
        return Decision(
            Outcome.REFUSED,
            (
                f"The application came {given.working_days_before_start} working days before the start; "
                f"{given.application_period_days} are required.",
            ),
            "late_application",
            (("ahead", given.working_days_before_start), ("required", given.application_period_days)),
        )
    return Decision(
        Outcome.PENDING_APPROVAL,
        ("The matter is not on the admission lists; the designated body decides on the written application.",),
        "needs_approval",
    )


def category_for_level(*, target_level: str, admission: str | None, owner_level: str | None) -> ListCategory:
    """The list category of a duty item for the target level.

    ``admission`` is the item's community admission (owned/assists/excluded/none); ``None`` means the matter
    is not on the duty list. Street-level targets read the owning level: owned when the street owns it,
    assisting when a district department leads (the street helps), otherwise not a street matter.
    """
    if admission is None:
        return ListCategory.UNLISTED
    if target_level == "community":
        try:
            return ListCategory(admission)
        except ValueError:
            return ListCategory.NONE
    if target_level == "street":
        if admission == ListCategory.EXCLUDED:
            return ListCategory.EXCLUDED
        if owner_level == "street":
            return ListCategory.OWNED
        if owner_level == "district":
            return ListCategory.ASSISTS
        return ListCategory.NONE
    return ListCategory.NONE


#: the task status machine: the gate sets the first status; only the approving body moves a pending task
TRANSITIONS: dict[str, frozenset[str]] = {
    "": frozenset({"admitted", "admitted_assisting", "pending_approval", "refused"}),
    "pending_approval": frozenset({"approved", "refused"}),
    "admitted": frozenset(),
    "admitted_assisting": frozenset(),
    "approved": frozenset(),
    "refused": frozenset(),
}


class IllegalTransitionError(ValueError):
    pass


def check_transition(current: str, new: str) -> None:
    if new not in TRANSITIONS.get(current, frozenset()):
        raise IllegalTransitionError(f"a task cannot go from {current or 'new'!r} to {new!r}")
