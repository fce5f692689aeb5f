"""Bodies and their members, topics with their evidence and views, meetings: invitation, validated attendance,
minutes, and resolutions guarded by the quorum."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fuhe.accounts.models import User
from fuhe.accounts.scope import scope_for
from fuhe.audit.services import audit_record
from fuhe.cases.selectors import case_queryset
from fuhe.cases.services.notify import notify_users, platform_text
from fuhe.deliberation.core import quorum
from fuhe.deliberation.models import (
    AgendaItem,
    Attendance,
    Body,
    BodyKind,
    Meeting,
    MeetingMode,
    Membership,
    Resolution,
    Topic,
    TopicSource,
    View,
)
from fuhe.deliberation.rules import can_assist, can_manage, lives_in
from fuhe.deliberation.services.common import (
    _community,
    _count,
    _raise,
    _require_manager,
    _text,
)
from fuhe.org.models import Region, RegionKind, Unit

# --- bodies ---------------------------------------------------------------------------------------------------


@transaction.atomic
def body_create(*, actor, name: str, kind: str, region: Region | None, convener: Unit | None = None) -> Body:
    region = _community(region)
    _require_manager(actor, region)
    if kind not in BodyKind.values:
        _raise("kind", _("Choose a kind of body."))
    if kind in (BodyKind.VILLAGER_REPRESENTATIVES, BodyKind.VILLAGER_ASSEMBLY) and region.kind == RegionKind.URBAN:
        _raise("kind", _("A villagers' body belongs to a village, not an urban community."))
    body = Body.objects.create(
        name=_text(name, "name", limit=120), kind=kind, region=region, convener=convener, created_at=timezone.now()
    )
    audit_record(actor=actor, action="deliberation.body_create", target=body, summary={"kind": kind})
    return body


@transaction.atomic
def body_member_add(*, actor, body: Body, person: User) -> Membership:
    _require_manager(actor, body.region)
    if not any(body.region.contains(region_id) for region_id in scope_for(person).home_region_ids):
        _raise("person", _("Only people of this community or village can be members."))
    if Membership.objects.filter(body=body, user=person).exists():
        _raise("person", _("This person is already a member."))
    membership = Membership.objects.create(body=body, user=person, added_by=actor, added_at=timezone.now())
    audit_record(actor=actor, action="deliberation.member_add", target=body, summary={"person": person.pk})
    return membership


@transaction.atomic
def body_member_remove(*, actor, body: Body, person: User) -> None:
    _require_manager(actor, body.region)
    deleted, _rows = Membership.objects.filter(body=body, user=person).delete()
    if not deleted:
        _raise("person", _("This person is not a member."))
    audit_record(actor=actor, action="deliberation.member_remove", target=body, summary={"person": person.pk})


# --- topics ---------------------------------------------------------------------------------------------------


@transaction.atomic
def topic_raise(
    *,
    actor,
    title: str,
    region: Region | None,
    description: str = "",
    case_ids=(),
    demand_ids=(),
) -> Topic:
    """A topic raised by a resident of the community, or by staff; with cases or unmet demands as its evidence
    (each must be visible to the one who raises it and lie in the community)."""
    region = _community(region)
    is_staff = can_manage(actor, region)
    if not is_staff and not lives_in(actor, region):
        _raise("region", _("Only residents of this community and its staff may raise a topic here."))
    title = _text(title, "title", limit=120)
    description = _text(description, "description", limit=4000, required=False)
    case_ids = sorted({int(pk) for pk in case_ids})
    demand_ids = sorted({int(pk) for pk in demand_ids})
    low, high = region.subtree
    cases = list(case_queryset(actor).filter(pk__in=case_ids, region_id__gte=low, region_id__lt=high))
    if len(cases) != len(case_ids):
        _raise("cases", _("Some of these cases are not in this community or not visible to you."))
    from fuhe.resources.models import Demand

    demands = list(
        Demand.objects.filter(pk__in=demand_ids, region_id__gte=low, region_id__lt=high).filter(
            scope_for(actor).region_q("region_id")
        )
    )
    if len(demands) != len(demand_ids):
        _raise("demands", _("Some of these demands are not in this community or not visible to you."))
    if cases:
        source = TopicSource.CASES
    elif demands:
        source = TopicSource.RESOURCE_GAP
    else:
        source = TopicSource.STAFF if is_staff else TopicSource.RESIDENT
    topic = Topic.objects.create(
        title=title,
        description=description,
        region=region,
        source=source,
        raised_by=actor,
        created_at=timezone.now(),
    )
    topic.evidence_cases.set(cases)
    topic.evidence_demands.set(demands)
    audit_record(
        actor=actor,
        action="deliberation.topic_raise",
        target=topic,
        summary={"source": source, "cases": case_ids, "demands": demand_ids},
    )
    return topic


@transaction.atomic
def view_record(*, actor, topic: Topic, text: str, person: User | None = None) -> View:
    """A resident's view on a topic, in their own name, or recorded by a grid worker on an elder's behalf."""
    text = _text(text, "text", limit=2000)
    assistant = None
    if person is not None and person.pk != actor.pk:
        if not can_assist(actor, topic.region, person):
            _raise("person", _("Only the community's staff or grid workers may record a view for someone else."))
        assistant = actor
    else:
        person = actor
    if not lives_in(person, topic.region):
        _raise("person", _("Only residents of this community may give a view here."))
    view = View.objects.create(topic=topic, person=person, assistant=assistant, text=text, created_at=timezone.now())
    audit_record(
        actor=actor,
        action="deliberation.view_record",
        target=view,
        summary={"topic": topic.pk, "person": person.pk, "assisted": assistant is not None},
    )
    return view


# --- meetings -------------------------------------------------------------------------------------------------


@transaction.atomic
def meeting_schedule(
    *,
    actor,
    body: Body,
    title: str,
    starts_at: datetime | None,
    mode: str = MeetingMode.OFFLINE,
    place: str = "",
    topics=(),
    agenda_items=(),
) -> Meeting:
    """A meeting of the body with its agenda: one item per topic, plus waiting items (from proposals)."""
    _require_manager(actor, body.region, "body")
    if mode not in MeetingMode.values:
        _raise("mode", _("Choose in person or online."))
    if not isinstance(starts_at, datetime) or timezone.is_naive(starts_at):
        _raise("starts_at", _("Give the date and time of the meeting."))
    place = _text(place, "place", limit=200, required=mode == MeetingMode.ONLINE)
    topics = list(topics)
    for topic in topics:
        if not body.region.contains(topic.region_id):
            _raise("topics", _("A topic of another community cannot be on this body's agenda."))
    waiting = list(AgendaItem.objects.select_for_update(of=("self",)).filter(pk__in=[i.pk for i in agenda_items]))
    if any(item.body_id != body.pk or item.meeting_id for item in waiting):
        _raise("agenda", _("This agenda item belongs to another body or meeting."))
    if not topics and not waiting:
        _raise("topics", _("Put at least one topic on the agenda."))
    now = timezone.now()
    meeting = Meeting.objects.create(
        body=body,
        title=_text(title, "title", limit=120),
        mode=mode,
        starts_at=starts_at,
        place=place,
        created_by=actor,
        created_at=now,
    )
    position = 0
    for item in waiting:
        position += 1
        AgendaItem.objects.filter(pk=item.pk).update(meeting=meeting, position=position)
    for topic in topics:
        position += 1
        AgendaItem.objects.create(
            meeting=meeting, body=body, topic=topic, title=topic.title, position=position, created_at=now
        )
    audit_record(
        actor=actor,
        action="deliberation.meeting_schedule",
        target=meeting,
        summary={"body": body.pk, "topics": [t.pk for t in topics], "items": [i.pk for i in waiting]},
    )
    return meeting


@transaction.atomic
def meeting_invite(*, actor, meeting: Meeting) -> int:
    """Notify every member of the body (in-app) of the meeting, its time, place and agenda; returns how many."""
    _require_manager(actor, meeting.body.region, "meeting")
    meeting = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
    if meeting.invited_at:
        _raise("meeting", _("The invitations have already been sent."))
    members = list(Membership.objects.filter(body=meeting.body).values_list("user_id", flat=True))
    if not members:
        _raise("meeting", _("The body has no members to invite."))
    agenda = "；".join(meeting.agenda.values_list("title", flat=True))
    text = platform_text(
        gettext_noop("Invitation: %(body)s meets on %(when)s at %(place)s. Agenda: %(agenda)s"),
        body=meeting.body.name,
        when=timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
        place=meeting.place or "—",
        agenda=agenda,
    )
    notify_users(members, case=None, text=text)
    meeting.invited_at = timezone.now()
    meeting.save(update_fields=["invited_at"])
    audit_record(actor=actor, action="deliberation.meeting_invite", target=meeting, summary={"invited": len(members)})
    return len(members)


@transaction.atomic
def attendance_record(*, actor, meeting: Meeting, people) -> list[Attendance]:
    """Record who is present (members and guests); only members will count toward the quorum. Each row names the
    staff member who recorded it."""
    _require_manager(actor, meeting.body.region, "meeting")
    if meeting.resolutions.exists():
        _raise("attendance", _("A resolution was adopted: the attendance can no longer change."))
    members = set(Membership.objects.filter(body=meeting.body).values_list("user_id", flat=True))
    already = set(meeting.attendance.values_list("user_id", flat=True))
    now = timezone.now()
    rows = [
        Attendance(meeting=meeting, user=person, is_member=person.pk in members, recorded_by=actor, recorded_at=now)
        for person in {p.pk: p for p in people}.values()
        if person.pk not in already
    ]
    if not rows:
        _raise("attendance", _("Name at least one person not yet recorded as present."))
    Attendance.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="deliberation.attendance_record",
        target=meeting,
        summary={"people": sorted(r.user_id for r in rows), "members": sum(r.is_member for r in rows)},
    )
    return rows


def meeting_quorum(meeting: Meeting) -> quorum.Quorum:
    members = Membership.objects.filter(body=meeting.body).count()
    present = meeting.attendance.filter(is_member=True, user__in=meeting.body.memberships.values("user")).count()
    return quorum.assess(meeting.body.kind, members=members, present=present)


@transaction.atomic
def minutes_save(*, actor, meeting: Meeting, text: str) -> Meeting:
    _require_manager(actor, meeting.body.region, "meeting")
    meeting = Meeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
    before = meeting.minutes
    meeting.minutes = _text(text, "minutes", limit=20000)
    meeting.minutes_by = actor
    meeting.save(update_fields=["minutes", "minutes_by"])
    audit_record(
        actor=actor,
        action="deliberation.minutes_save",
        target=meeting,
        summary={"before_length": len(before), "after_length": len(meeting.minutes)},
    )
    return meeting


@transaction.atomic
def resolution_adopt(
    *, actor, meeting: Meeting, agenda_item: AgendaItem, text: str, in_favour, against, abstaining
) -> Resolution:
    """Adopt a resolution on an agenda item. Refused without a quorum of members present (the body kind's rule,
    ``core/quorum.py``), at an informal meeting, or when fewer than half of those present vote in favour."""
    _require_manager(actor, meeting.body.region, "meeting")
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("body").get(pk=meeting.pk)
    if agenda_item.meeting_id != meeting.pk:
        _raise("agenda_item", _("This item is not on this meeting's agenda."))
    if Resolution.objects.filter(agenda_item=agenda_item).exists():
        _raise("agenda_item", _("This item already has a resolution."))
    text = _text(text, "text", limit=4000)
    tally = quorum.Tally(_count(in_favour, "in_favour"), _count(against, "against"), _count(abstaining, "abstaining"))
    found = meeting_quorum(meeting)
    if not found.is_formal:
        _raise("meeting", _("An informal consultation (恳谈会) gathers views; only a formal body adopts resolutions."))
    if not found.is_met:
        _raise(
            "meeting",
            _("No quorum: %(present)s of %(members)s members are present, %(required)s are needed.")
            % {"present": found.present, "members": found.members, "required": found.required},
        )
    try:
        adopted = quorum.adoption_check(tally, present=found.present)
    except quorum.TallyError as error:
        _raise(error.field, _("The votes add up to more than the members present."))
    if not adopted:
        _raise("in_favour", _("Not adopted: more than half of the members present must vote in favour."))
    resolution = Resolution.objects.create(
        meeting=meeting,
        agenda_item=agenda_item,
        text=text,
        members=found.members,
        present=found.present,
        in_favour=tally.in_favour,
        against=tally.against,
        abstaining=tally.abstaining,
        adopted_by=actor,
        adopted_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="deliberation.resolution_adopt",
        target=resolution,
        summary={"members": found.members, "present": found.present, "tally": [tally.in_favour, tally.against]},
    )
    return resolution
