"""Bodies, topics with evidence, meetings: invitation, validated attendance, minutes, quorum-guarded resolutions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fuhe.audit.models import AuditEvent
from fuhe.cases.models import Case, Channel, Notification
from fuhe.cases.services.intake import case_create
from fuhe.deliberation import services
from fuhe.deliberation.models import Attendance, BodyKind, Resolution, Topic, TopicSource
from fuhe.deliberation.services import DeliberationError
from tests.deliberation.conftest import make_residents


def _case(tree, text="花园路3号楼道堆满杂物"):
    return case_create(actor=None, channel=Channel.HOTLINE, text=text, region=tree.regions["花园路社区第1网格"]).case


def test_a_topic_from_a_cluster_of_cases_keeps_them_as_evidence(tree):
    cases = [_case(tree) for _ in range(3)]
    topic = services.topic_raise(
        actor=tree.people["community"],
        title="楼道堆物反复投诉",
        region=tree.regions["花园路社区"],
        case_ids=[c.pk for c in cases],
    )
    assert topic.source == TopicSource.CASES
    assert set(topic.evidence_cases.values_list("pk", flat=True)) == {c.pk for c in cases}
    assert AuditEvent.objects.filter(action="deliberation.topic_raise").count() == 1


def test_evidence_outside_the_community_is_refused_and_nothing_written(tree):
    other = case_create(actor=None, channel=Channel.HOTLINE, text="五大道噪音", region=tree.regions["五大道社区"]).case
    with pytest.raises(DeliberationError) as error:
        services.topic_raise(
            actor=tree.people["community"], title="x", region=tree.regions["花园路社区"], case_ids=[other.pk]
        )
    assert "cases" in error.value.message_dict
    assert not Topic.objects.exists()


def test_a_resident_raises_a_topic_in_their_own_community_only(tree):
    topic = services.topic_raise(actor=tree.people["resident"], title="增设休息座椅", region=tree.regions["花园路社区"])
    assert topic.source == TopicSource.RESIDENT
    with pytest.raises(DeliberationError):
        services.topic_raise(actor=tree.people["resident"], title="x", region=tree.regions["五大道社区"])


def test_invitation_notifies_every_member_once(tree, council, meeting):
    assert services.meeting_invite(actor=tree.people["community"], meeting=meeting) == 5
    assert Notification.objects.filter(text__contains="花园路社区居民议事会").count() == 5
    with pytest.raises(DeliberationError):
        services.meeting_invite(actor=tree.people["community"], meeting=meeting)


def test_guests_are_recorded_but_do_not_count_toward_the_quorum(tree, council, meeting, residents):
    guest = make_residents(tree, "花园路社区", 1, prefix="guest")[0]
    services.attendance_record(actor=tree.people["community"], meeting=meeting, people=[*residents[:2], guest])
    quorum = services.meeting_quorum(meeting)
    assert (quorum.members, quorum.present, quorum.required) == (5, 2, 3)
    row = Attendance.objects.get(meeting=meeting, user=guest)
    assert not row.is_member
    assert row.recorded_by == tree.people["community"]


def test_a_resolution_without_quorum_is_refused_with_the_counts(tree, council, meeting, residents):
    services.attendance_record(actor=tree.people["community"], meeting=meeting, people=residents[:2])
    with pytest.raises(DeliberationError) as error:
        services.resolution_adopt(
            actor=tree.people["community"],
            meeting=meeting,
            agenda_item=meeting.agenda.get(),
            text="清理楼道",
            in_favour=2,
            against=0,
            abstaining=0,
        )
    assert "2" in error.value.message_dict["meeting"][0] and "3" in error.value.message_dict["meeting"][0]
    assert not Resolution.objects.exists()


def test_a_resolution_with_quorum_and_a_majority_is_adopted(tree, council, meeting, residents):
    services.attendance_record(actor=tree.people["community"], meeting=meeting, people=residents[:3])
    resolution = services.resolution_adopt(
        actor=tree.people["community"],
        meeting=meeting,
        agenda_item=meeting.agenda.get(),
        text="清理楼道",
        in_favour=2,
        against=1,
        abstaining=0,
    )
    assert (resolution.members, resolution.present) == (5, 3)
    with pytest.raises(DeliberationError):  # the attendance is frozen once a resolution is adopted
        services.attendance_record(actor=tree.people["community"], meeting=meeting, people=residents[3:4])


def test_a_tally_without_a_majority_or_above_the_present_count_is_refused(tree, council, meeting, residents):
    services.attendance_record(actor=tree.people["community"], meeting=meeting, people=residents[:4])
    item = meeting.agenda.get()
    for votes, field in (((2, 2, 0), "in_favour"), ((4, 1, 0), "in_favour")):
        with pytest.raises(DeliberationError) as error:
            services.resolution_adopt(
                actor=tree.people["community"],
                meeting=meeting,
                agenda_item=item,
                text="x",
                in_favour=votes[0],
                against=votes[1],
                abstaining=votes[2],
            )
        assert field in error.value.message_dict
    assert not Resolution.objects.exists()


def test_an_informal_consultation_adopts_no_resolution(tree, residents):
    body = services.body_create(
        actor=tree.people["community"], name="恳谈会", kind=BodyKind.CONSULTATION, region=tree.regions["花园路社区"]
    )
    services.body_member_add(actor=tree.people["community"], body=body, person=residents[0])
    topic = services.topic_raise(actor=tree.people["community"], title="停车", region=tree.regions["花园路社区"])
    meeting = services.meeting_schedule(
        actor=tree.people["community"],
        body=body,
        title="停车恳谈",
        mode="online",
        place="腾讯会议 123",
        starts_at=timezone.now(),
        topics=[topic],
    )
    services.attendance_record(actor=tree.people["community"], meeting=meeting, people=residents[:1])
    with pytest.raises(DeliberationError) as error:
        services.resolution_adopt(
            actor=tree.people["community"],
            meeting=meeting,
            agenda_item=meeting.agenda.get(),
            text="x",
            in_favour=1,
            against=0,
            abstaining=0,
        )
    assert "meeting" in error.value.message_dict


def test_a_villagers_body_cannot_sit_in_an_urban_community(tree):
    with pytest.raises(DeliberationError):
        services.body_create(
            actor=tree.people["community"],
            name="x",
            kind=BodyKind.VILLAGER_REPRESENTATIVES,
            region=tree.regions["花园路社区"],
        )


def test_staff_outside_the_community_cannot_manage_it(tree, council):
    with pytest.raises(DeliberationError):
        services.meeting_schedule(
            actor=tree.people["jz-dispatcher"],
            body=council,
            title="x",
            starts_at=timezone.now() + timedelta(days=1),
            topics=[],
        )


def test_minutes_are_saved_with_their_author(tree, meeting):
    saved = services.minutes_save(actor=tree.people["community"], meeting=meeting, text="会议纪要：同意清理。")
    assert saved.minutes_by == tree.people["community"]
    assert Case.objects.count() == 0
