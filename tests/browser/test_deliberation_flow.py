"""Deliberation in the browser: a topic from a cluster of cases → a meeting with quorum → a resolution → a case
created and closed → the public page shows it done; a village matter through 四议两公开 with both publications;
bad input (a skipped step, a vote by an unverified resident) gives a clear error and writes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fuhe.cases.core.lifecycle import Action
from fuhe.cases.models import Category, Channel
from fuhe.cases.services.intake import case_create
from fuhe.cases.services.lifecycle import case_transition
from fuhe.deliberation import services
from fuhe.deliberation.core.procedure import ORDER, Step
from fuhe.deliberation.models import BodyKind, Resolution, ResolutionItem, VillageMatter, VillageStep, Vote
from tests.browser.test_login_roles import log_in
from tests.deliberation.conftest import make_residents

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submit(page, selector: str) -> None:
    """Click a button that posts a form and wait for the page it leads to (the shared machine can be slow)."""
    with page.expect_navigation(timeout=30_000):
        page.locator(selector).click()


def _close(case):
    for action, data in (
        (Action.ACCEPT, {}),
        (Action.START, {}),
        (Action.REPLY, {"outcome": "resolved"}),
        (Action.RATE, {}),
        (Action.CLOSE, {}),
    ):
        case = case_transition(actor=None, case=case, action=action, check_permission=False, event_data=data)
    return case


def test_topic_with_evidence_to_meeting_to_resolution_to_a_closed_case(tree, live_server, page_factory, screenshot):
    category = Category.objects.create(name="楼道堆物", level=1, path="楼道堆物")
    for n in range(3):
        case_create(
            actor=None,
            channel=Channel.HOTLINE,
            text=f"花园路3号楼楼道堆物，第{n + 1}次反映",
            region=tree.regions["花园路社区第1网格"],
            category=category,
        )
    members = make_residents(tree, "花园路社区第1网格", 5, prefix="hy")
    body = services.body_create(
        actor=tree.people["community"],
        name="花园路社区居民议事会",
        kind=BodyKind.RESIDENTS_COUNCIL,
        region=tree.regions["花园路社区"],
        convener=tree.units["花园路社区居委会"],
    )
    for person in members:
        services.body_member_add(actor=tree.people["community"], body=body, person=person)

    page = page_factory()
    log_in(page, live_server.url, "dispatcher")
    _submit(page, "#nav-deliberation")
    expect(page.locator("#evidence .cluster")).to_have_count(1)
    screenshot(page, "deliberation-01-index-with-evidence")
    _submit(page, ".raise-from-cluster")
    page.fill("#topic-title", "3号楼楼道堆物反复投诉")
    _submit(page, "#topic-submit")
    expect(page.locator("#topic-evidence .evidence-case")).to_have_count(3)
    expect(page.locator("#topic-source")).to_have_attribute("data-source", "cases")
    screenshot(page, "deliberation-02-topic-evidence")

    page.goto(f"{live_server.url}/deliberation/bodies/{body.pk}/")
    page.fill("#meeting-title", "十二月居民议事会")
    page.fill("#meeting-starts", (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#meeting-place", "社区党群服务中心")
    page.locator(".agenda-topic").first.check()
    _submit(page, "#meeting-submit")
    _submit(page, "#invite")
    expect(page.locator("#invited")).not_to_contain_text("not sent")
    expect(page.locator("#quorum")).to_have_attribute("data-met", "false")
    for n in range(3):
        page.locator(".attendee").nth(n).check()
    _submit(page, "#attendance-submit")
    expect(page.locator("#attendance .present")).to_have_count(3)
    expect(page.locator("#quorum")).to_have_attribute("data-met", "true")
    screenshot(page, "deliberation-03-meeting-with-quorum")  # before typing: a full-page shot moves the page
    page.locator(".resolve-form textarea").fill("两周内清理3号楼楼道堆物，由社区居委会负责")
    page.locator(".resolve-form input[name=in_favour]").fill("3")
    _submit(page, ".resolve-form .adopt")
    expect(page.locator("#resolution-text")).to_contain_text("两周内清理")

    page.select_option("#item-kind", "case")
    page.fill("#item-title", "清理3号楼楼道堆物")
    page.select_option("#item-owner", label="花园路社区居委会")
    page.fill("#item-due", (timezone.localdate() + timedelta(days=14)).isoformat())
    _submit(page, "#item-submit")
    expect(page.locator("#items .item")).to_have_count(1)
    expect(page.locator("#items .item")).to_have_attribute("data-progress", "in_progress")
    screenshot(page, "deliberation-04-resolution-bound-to-a-case")

    item = ResolutionItem.objects.get()
    assert item.case.owner_unit == tree.units["花园路社区居委会"]
    _close(item.case)  # the owner handles the case through the closed loop and the resident rates it

    public = page_factory()  # no login
    public.goto(f"{live_server.url}/public/deliberation/resolutions/{Resolution.objects.get().pk}/")
    expect(public.locator("h1 [data-progress]")).to_have_attribute("data-progress", "done")
    expect(public.locator("#items .item")).to_have_attribute("data-progress", "done")
    assert "hy0" not in public.content()
    screenshot(public, "deliberation-05-public-resolution-done")


def _fill_step(page, step: Step, content: str):
    page.select_option("#step-step", step.value)
    page.fill("#step-participants", "村党支部委员、村两委成员")
    page.fill("#step-count", "7")
    page.fill("#step-content", content)
    _submit(page, "#step-submit")


def test_a_village_matter_through_the_procedure_with_both_publications(tree, live_server, page_factory, screenshot):
    page = page_factory()
    log_in(page, live_server.url, "jz-dispatcher")
    page.goto(f"{live_server.url}/deliberation/")
    page.fill("#village-title", "西关村村道硬化工程")
    page.select_option("#village-region", label="西关村")
    _submit(page, "#village-form button")
    matter = VillageMatter.objects.get()

    _fill_step(page, Step.PROPOSAL, "党支部提议硬化村道1.2公里")
    _fill_step(page, Step.REVIEW, "跳过两委会商议")  # bad input: a skipped step
    expect(page.locator(".messages [role=alert]")).to_be_visible()
    assert VillageStep.objects.filter(matter=matter).count() == 1
    screenshot(page, "deliberation-06-skipped-step-refused")

    for step in ORDER[1:]:
        _fill_step(page, step, f"{step.zh}：同意")
        expect(page.locator(f'[data-step="{step.value}"] .tag')).to_be_visible()
    expect(page.locator("#procedure-end")).to_be_visible()
    screenshot(page, "deliberation-07-village-procedure-complete")

    public = page_factory()
    for publication in ("decision", "results"):
        public.goto(f"{live_server.url}/public/deliberation/village/{matter.pk}/{publication}/")
        expect(public.locator("#publication")).to_have_attribute("data-publication", publication)
        assert "村党支部委员" not in public.content()  # participants named only for staff
        screenshot(public, f"deliberation-08-public-{publication}")
    expect(public.locator('#public-steps [data-step="results_published"]')).to_have_count(1)


def test_a_vote_by_an_unverified_resident_is_refused(tree, live_server, page_factory, screenshot):
    voters = make_residents(tree, "花园路社区第1网格", 1, prefix="hy")
    body = services.body_create(
        actor=tree.people["community"],
        name="花园路社区居民议事会",
        kind=BodyKind.RESIDENTS_COUNCIL,
        region=tree.regions["花园路社区"],
    )
    services.resident_verify(actor=tree.people["community"], person=voters[0], region=tree.regions["花园路社区"])
    proposal = services.proposal_submit(actor=voters[0], body=body, title="增设充电桩", text="电动车充电难")
    services.proposal_feasibility(actor=tree.people["community"], proposal=proposal, note="场地可行，费用约2万元")

    page = page_factory()
    log_in(page, live_server.url, "resident")  # lives in 花园路社区, not verified
    page.goto(f"{live_server.url}/deliberation/proposals/{proposal.pk}/")
    _submit(page, "#vote-submit")
    expect(page.locator(".messages [role=alert]")).to_be_visible()
    assert not Vote.objects.exists()
    screenshot(page, "deliberation-09-ineligible-vote-refused")
