"""The deliberation pages: scoped for staff and residents, public pages without login and without personal data."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from fuhe.deliberation import services
from fuhe.deliberation.core.procedure import ORDER, Step
from fuhe.deliberation.models import ItemKind, VillageStep


@pytest.fixture
def resolution(tree, meeting, residents):
    services.attendance_record(actor=tree.people["community"], meeting=meeting, people=residents[:4])
    return services.resolution_adopt(
        actor=tree.people["community"],
        meeting=meeting,
        agenda_item=meeting.agenda.get(),
        text="清理楼道",
        in_favour=4,
        against=0,
        abstaining=0,
    )


def test_staff_pages_render_for_the_community_worker(tree, login, meeting, resolution):
    client = login(tree.people["community"])
    for url in (
        reverse("deliberation:index"),
        reverse("deliberation:meeting", args=[meeting.pk]),
        reverse("deliberation:body", args=[meeting.body_id]),
        reverse("deliberation:resolution", args=[resolution.pk]),
        reverse("deliberation:topic", args=[meeting.agenda.get().topic_id]),
        reverse("deliberation:inclusion") + f"?region={tree.regions['花园路社区'].pk}",
    ):
        assert client.get(url).status_code == 200, url


def test_out_of_scope_looks_like_missing(tree, login, meeting, resolution):
    client = login(tree.people["jz-dispatcher"])
    assert client.get(reverse("deliberation:meeting", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("deliberation:meeting", args=[999999])).status_code == 404
    assert client.get(reverse("deliberation:resolution", args=[resolution.pk])).status_code == 404


def test_the_nav_shows_the_deliberation_link_to_people_with_a_role(tree, login):
    assert 'id="nav-deliberation"' in login(tree.people["resident"]).get(reverse("web:home")).content.decode()


def test_the_public_resolution_page_needs_no_login_and_names_nobody(client, tree, resolution, residents):
    services.resolution_item_bind(
        actor=tree.people["dispatcher"],
        resolution=resolution,
        kind=ItemKind.CASE,
        title="清理3号楼",
        owner=tree.units["花园路社区居委会"],
        due_at=timezone.now() + timedelta(days=5),
    )
    response = client.get(reverse("deliberation:public_resolution", args=[resolution.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-progress="in_progress"' in page
    assert "清理3号楼" in page
    for person in (*residents, tree.people["community"], tree.people["dispatcher"]):
        assert person.display_name not in page
    assert "/cases/" not in page  # no link into the case (its reporter and address are not public)


def test_a_failed_resolution_shows_its_reason_and_writes_nothing(tree, login, meeting):
    client = login(tree.people["community"])
    response = client.post(
        reverse("deliberation:meeting_act", args=[meeting.pk]),
        {
            "verb": "resolve",
            "agenda_item": meeting.agenda.get().pk,
            "text": "x",
            "in_favour": 1,
            "against": 0,
            "abstaining": 0,
        },
        follow=True,
    )
    assert "不足法定人数" in response.content.decode()  # the reason, in the reader's language
    assert not meeting.resolutions.exists()


def test_village_publications_appear_only_once_recorded(client, tree):
    matter = services.village_matter_create(
        actor=tree.people["jz-dispatcher"], title="村道硬化", region=tree.regions["西关村"]
    )
    url = reverse("deliberation:public_village", args=[matter.pk, "decision"])
    assert client.get(url).status_code == 404
    for n, step in enumerate(ORDER[:5]):
        services.village_step_record(
            actor=tree.people["jz-dispatcher"],
            matter=matter,
            step=step,
            held_on=timezone.localdate() - timedelta(days=9 - n),
            participants="党员 张三、李四",
            participant_count=12,
            content=f"{step.zh}：同意",
        )
    page = client.get(url).content.decode()
    assert "两委会商议：同意" in page and "张三" not in page
    assert client.get(reverse("deliberation:public_village", args=[matter.pk, "results"])).status_code == 404
    assert VillageStep.objects.filter(matter=matter, step=Step.DECISION_PUBLISHED).exists()
    assert client.get(reverse("deliberation:public_village", args=[matter.pk, "other"])).status_code == 404


def test_a_rejected_proposal_publishes_its_reason(client, tree, council, residents):
    services.resident_verify(actor=tree.people["community"], person=residents[0], region=tree.regions["花园路社区"])
    proposal = services.proposal_submit(actor=residents[0], body=council, title="屋顶种菜", text="利用屋顶")
    services.proposal_reject(actor=tree.people["community"], proposal=proposal, reason="屋顶承重不足")
    page = client.get(reverse("deliberation:public_proposal", args=[proposal.pk])).content.decode()
    assert "屋顶承重不足" in page and residents[0].display_name not in page


def test_the_inclusion_page_hides_small_cells(tree, login, residents, settings):
    settings.FUHE_DELIBERATION_MIN_CELL = 5
    topic = services.topic_raise(actor=tree.people["community"], title="加装电梯", region=tree.regions["花园路社区"])
    for person in residents[:2]:
        services.view_record(actor=person, topic=topic, text="支持")
    page = (
        login(tree.people["community"])
        .get(reverse("deliberation:inclusion") + f"?region={tree.regions['花园路社区'].pk}")
        .content.decode()
    )
    assert 'data-suppressed="true"' in page and 'data-suppressed="false"' not in page


def test_a_resolution_links_its_case_only_for_those_who_may_open_it(tree, login, resolution, residents):
    """Residents read the resolution but may not open the case it became: no link to a 404 (found on the demo)."""
    item = services.resolution_item_bind(
        actor=tree.people["dispatcher"],
        resolution=resolution,
        kind=ItemKind.CASE,
        title="清理3号楼",
        owner=tree.units["花园路社区居委会"],
        due_at=timezone.now() + timedelta(days=5),
    )
    url = reverse("deliberation:resolution", args=[resolution.pk])
    case_url = reverse("cases:detail", args=[item.case_id])
    community = login(tree.people["community"])
    assert case_url in community.get(url).content.decode() and community.get(case_url).status_code == 200
    resident = login(tree.people["resident"])  # a resident of the community
    page = resident.get(url)
    assert page.status_code == 200 and "清理3号楼" in page.content.decode()
    assert case_url not in page.content.decode() and resident.get(case_url).status_code == 404
