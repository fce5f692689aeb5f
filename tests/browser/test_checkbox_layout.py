"""Form controls look alike and checkboxes sit at the start of their own line of text, at their natural size: the
body page's agenda once showed each checkbox stretched to the form's width and centred above a bold label, and its
date-and-time box was half the height of the text boxes beside it, unstyled, and an empty list's "nothing yet" line
kept a bullet far from its centred text (all found on the demo)."""

import pytest

from fuhe.deliberation import services
from fuhe.deliberation.models import BodyKind
from tests.browser.test_login_roles import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: each checkbox: its width, its left edge against its label's, its label's height and weight
MEASURE = """() => [...document.querySelectorAll('main label > input[type=checkbox]')].map(box => {
  const b = box.getBoundingClientRect(), l = box.parentElement.getBoundingClientRect();
  return {name: box.name, width: b.width, offset: b.left - l.left, height: l.height,
          weight: getComputedStyle(box.parentElement).fontWeight};
})"""


def assert_checkboxes_inline(page, minimum: int) -> None:
    boxes = page.evaluate(MEASURE)
    assert len(boxes) >= minimum, boxes
    for box in boxes:
        assert box["width"] < 30, box  # not stretched across the form
        assert abs(box["offset"]) < 8, box  # at the start of its label, not centred above it
        assert box["height"] < 40, box  # the box and its text on one line
        assert int(box["weight"]) < 600, box  # an option, not a field's title


def test_agenda_attendance_and_village_checkboxes_are_inline(tree, live_server, page_factory, screenshot):
    worker = tree.people["community"]
    body = services.body_create(
        actor=worker,
        name="花园路社区居民议事会",
        kind=BodyKind.RESIDENTS_COUNCIL,
        region=tree.regions["花园路社区"],
        convener=tree.units["花园路社区居委会"],
    )
    services.body_member_add(actor=worker, body=body, person=tree.people["resident"])
    topic = services.topic_raise(actor=worker, title="楼门口增设休息座椅", region=tree.regions["花园路社区"])
    services.topic_raise(actor=worker, title="楼道堆物清理", region=tree.regions["花园路社区"])
    from django.utils import timezone

    meeting = services.meeting_schedule(
        actor=worker, body=body, title="季度议事会", starts_at=timezone.now(), place="社区会议室", topics=[topic]
    )
    matter = services.village_matter_create(
        actor=tree.people["jz-dispatcher"], title="修建村道", region=tree.regions["西关村"]
    )

    page = page_factory()
    log_in(page, live_server.url, "community")
    page.goto(f"{live_server.url}/deliberation/bodies/{body.pk}/")
    assert_checkboxes_inline(page, 1)
    starts, title = page.locator("#meeting-starts").bounding_box(), page.locator("#meeting-title").bounding_box()
    assert abs(starts["height"] - title["height"]) < 4, (starts, title)  # styled like the text box beside it
    page.locator("#meeting-form").scroll_into_view_if_needed()
    screenshot(page, "checkbox-01-agenda-inline")
    page.goto(f"{live_server.url}/deliberation/")  # no village matter in the community worker's scope
    assert page.evaluate("getComputedStyle(document.querySelector('main li.empty')).listStyleType") == "none"
    page.goto(f"{live_server.url}/deliberation/meetings/{meeting.pk}/")
    assert_checkboxes_inline(page, 1)

    rural = page_factory()
    log_in(rural, live_server.url, "jz-dispatcher")
    rural.goto(f"{live_server.url}/deliberation/village/{matter.pk}/")
    assert_checkboxes_inline(rural, 1)
    screenshot(rural, "checkbox-02-village-step-inline")
