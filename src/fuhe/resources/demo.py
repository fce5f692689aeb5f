"""Demo data of urban–rural pairing: the street of ``hp-dispatcher`` (和平区) paired with the township of
``jz-dispatcher`` (蓟州区), a shared stockpile of the street and a village school building of the township, and
one delivery street → township (so the pairing's page shows a flow). Idempotent: a second build changes nothing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext

from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.resources.models import DemandPriority, DemandSource, Match, Pairing, PairingShare, Resource, ResourceKind
from fuhe.resources.services import (
    demand_create,
    match_accept,
    match_confirm,
    match_deliver,
    match_offer,
    matching_run,
    region_centroid,
    resource_register,
)
from fuhe.resources.services.pairing import pairing_create

STREET_STOCK = "结对共享·应急饮用水"
TOWNSHIP_SPACE = "村小学闲置校舍（研学、托管）"
FALLBACK_POINTS = {"120101": (39.117, 117.205), "120119": (40.045, 117.408)}


def _post(username: str) -> RoleAssignment:
    return (
        RoleAssignment.objects.select_related("region", "unit")
        .filter(user__username=username, role=Role.STREET_DISPATCHER)
        .order_by("id")
        .first()
    )


def _point(region) -> dict:
    centre = region_centroid(region) or FALLBACK_POINTS.get(region.code[:6], (39.117, 117.205))
    return {"latitude": f"{centre[0]:.6f}", "longitude": f"{centre[1]:.6f}"}


def demo_resources_build(*, progress=None) -> None:
    street_post, township_post = _post("hp-dispatcher"), _post("jz-dispatcher")
    admin = User.objects.filter(username="demo-admin").first()
    if street_post is None or township_post is None or admin is None:
        return  # the core demo is not built
    street, township = street_post.region, township_post.region
    if Pairing.objects.filter(street=street, township=township).exists():
        return
    street_user, township_user = street_post.user, township_post.user
    today = timezone.localdate()
    pairing = pairing_create(
        actor=admin,
        street_id=street.pk,
        township_id=township.pk,
        purpose="城乡结对：街道应急物资与志愿服务下乡，村小学闲置校舍接待城区青少年研学与托管",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=335),
        shares=[PairingShare.STREET_POOL, PairingShare.TOWNSHIP_SPACES],
    )
    if not Resource.objects.filter(name=STREET_STOCK).exists():
        resource_register(
            actor=street_user,
            owner_id=street_post.unit_id,
            name=STREET_STOCK,
            kind=ResourceKind.STOCKPILE,
            capacity=200,
            unit_label="箱",
            contact_name="街道党群服务中心",
            contact_phone="13800000001",
            **_point(street),
        )
    if not Resource.objects.filter(name=TOWNSHIP_SPACE).exists():
        resource_register(
            actor=township_user,
            owner_id=township_post.unit_id,
            name=TOWNSHIP_SPACE,
            kind=ResourceKind.SPACE,
            capacity=20,
            unit_label="场次",
            contact_name="镇综合办",
            contact_phone="13800000002",
            **_point(township),
        )
    now = timezone.now()
    demand = demand_create(
        actor=township_user,
        title="汛后村民饮用水补给",
        source=DemandSource.PLAN,
        priority=DemandPriority.BASIC_LIVELIHOOD,
        kind=ResourceKind.STOCKPILE,
        quantity=30,
        window_start=now,
        window_end=now + timedelta(days=3),
        region_id=township.pk,
        **_point(township),
    )
    run = matching_run(actor=township_user, region=township)
    match = Match.objects.filter(run=run, demand=demand, pairing=pairing).first()
    if match is not None:
        match_offer(actor=township_user, match=match)
        match_accept(actor=street_user, match=match)
        match_deliver(actor=street_user, match=match)
        match_confirm(actor=township_user, match=match)
    if progress is not None:
        progress(gettext("pairing: %(street)s ⇄ %(township)s") % {"street": street.name, "township": township.name})
