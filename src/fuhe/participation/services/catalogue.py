"""The redemption catalogue: a committee or street office offers a community service for points."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fuhe.audit.services import audit_record
from fuhe.participation.models import RedemptionItem
from fuhe.participation.rules import acts_for_unit, can_post_requests

MAX_ITEM_POINTS = 10_000
MAX_STOCK = 10_000


class CatalogueError(ValidationError):
    """A catalogue change refused; nothing was written."""


def redemption_item_create(*, actor, owner, name: str, points, stock, description: str = "") -> RedemptionItem:
    """Offer ``stock`` of a community service at ``points`` each, provided by ``owner`` (an organisation the actor
    acts for); redemptions pay the points to it."""
    errors: dict[str, str] = {}
    if owner is None or not can_post_requests(actor) or not acts_for_unit(actor, owner):
        errors["owner"] = _("You do not act for this organisation.")
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Name the service offered.")
    if type(points) is not int or not 1 <= points <= MAX_ITEM_POINTS:
        errors["points"] = _("The price must be a whole number of points from 1 to %(max)s.") % {"max": MAX_ITEM_POINTS}
    if type(stock) is not int or not 0 <= stock <= MAX_STOCK:
        errors["stock"] = _("The stock must be a whole number from 0 to %(max)s.") % {"max": MAX_STOCK}
    if errors:
        raise CatalogueError(errors)
    with transaction.atomic():
        item = RedemptionItem.objects.create(
            name=name[:120], description=(description or "").strip()[:400], points=points, owner=owner, stock=stock
        )
        audit_record(
            actor=actor,
            action="participation.redemption_item_created",
            target=item,
            summary={"name": item.name, "points": points, "stock": stock, "owner": owner.pk},
        )
    return item
