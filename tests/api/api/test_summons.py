"""吹哨报到 through the JSON API: whistle, report in, release, the case detail's summonses and actions, scope."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.audit.models import AuditEvent
from fuhe.cases.models import Case, CaseEvent, ReportIn, ReportInStatus, Summons
from fuhe.org.models import DepartmentType, Unit, UnitKind
from tests.api.conftest import bearer


@pytest.fixture
def departments(tree):
    """和平区's 城管委 (the tree's handler) and 水务局, and 蓟州区's 城管委, each with a person acting for it."""
    water = Unit.objects.create(
        name="和平区水务局",
        kind=UnitKind.DEPARTMENT,
        region=tree.regions["和平区"],
        department_type=DepartmentType.URBAN_MANAGEMENT,
    )
    for username, unit, region in (("water", water, "和平区"), ("jz-handler", tree.units["蓟州区城管委"], "蓟州区")):
        person = User.objects.create_user(username=username, password="x-correct-horse-9", display_name=username)
        RoleAssignment.objects.create(user=person, role=Role.DEPARTMENT_HANDLER, region=tree.regions[region], unit=unit)
        tree.people[username] = person
    return {"city": tree.units["和平区城管委"], "water": water, "jz-city": tree.units["蓟州区城管委"]}


@pytest.fixture
def keys(issue_key, departments):
    staff = ("dispatcher", "community", "handler", "water", "jz-handler", "jz-dispatcher", "leader", "admin")
    names = (*staff, "resident")
    return {name: bearer(issue_key(name)) for name in names}


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def post(client, key, url, **body):
    return client.post(f"/api/v1{url}", json.dumps(body), content_type="application/json", **key)


def whistle(client, key, case, departments, reason="燃气泄漏，需现场处置", **extra):
    ids = [unit.pk for unit in departments]
    return post(client, key, f"/cases/{case.pk}/summonses", department_ids=ids, reason=reason, **extra)


def report_in_url(case, report_in_id, what="report-in"):
    return f"/cases/{case.pk}/report-ins/{report_in_id}/{what}"


def by_department(summons: dict) -> dict[str, dict]:
    return {row["department"]["name"]: row for row in summons["departments"]}


def detail(client, key, case) -> dict:
    response = client.get(f"/api/v1/cases/{case.pk}", **key)
    assert response.status_code == 200, response.content
    return response.json()


def audit_actions(case) -> list[str]:
    return list(AuditEvent.objects.filter(action__startswith="case.").order_by("seq").values_list("action", flat=True))


def test_whistle_report_in_and_release_through_the_api(client, tree, cases, departments, keys):
    case = cases["public"]
    response = whistle(client, keys["dispatcher"], case, [departments["city"], departments["water"]])
    assert response.status_code == 201, response.content
    summons = response.json()
    assert summons["whistled_by"]["name"] == "劝业场街道办事处" and summons["is_open"]
    assert summons["reason"] == "燃气泄漏，需现场处置"
    due = timezone.datetime.fromisoformat(summons["due_at"]) - timezone.datetime.fromisoformat(summons["whistled_at"])
    assert due == timedelta(minutes=30)
    rows = by_department(summons)
    assert {row["status"] for row in rows.values()} == {"pending"}
    assert [row["actions"] for row in rows.values()] == [["release"], ["release"]]  # the whistler releases
    assert Summons.objects.filter(case=case).count() == 1 and ReportIn.objects.filter(summons__case=case).count() == 2
    assert audit_actions(case)[-1] == "case.whistle"

    # the summoned 城管委 sees the case, its own report-in action and nothing on 水务局's row
    seen = detail(client, keys["handler"], case)
    assert "report_in" in seen["actions"] and "release" not in seen["actions"] and "whistle" not in seen["actions"]
    rows = by_department(seen["summonses"][0])
    assert rows["和平区城管委"]["actions"] == ["report_in"] and rows["和平区水务局"]["actions"] == []

    city_id = rows["和平区城管委"]["id"]
    reported = post(client, keys["handler"], report_in_url(case, city_id), note="已到场关阀，隐患排除")
    assert reported.status_code == 200, reported.content
    row = by_department(reported.json())["和平区城管委"]
    assert row["status"] == "reported" and row["is_on_time"] is True and row["reported_at"]
    assert row["note"] == "已到场关阀，隐患排除" and row["actions"] == []
    assert audit_actions(case)[-1] == "case.report_in"

    water_id = rows["和平区水务局"]["id"]
    released = post(client, keys["dispatcher"], report_in_url(case, water_id, "release"), reason="不涉及供水")
    assert released.status_code == 200, released.content
    body = released.json()
    row = by_department(body)["和平区水务局"]
    assert row["status"] == "released" and row["release_reason"] == "不涉及供水" and row["released_at"]
    assert row["note"] == "" and not body["is_open"]
    assert audit_actions(case)[-3:] == ["case.whistle", "case.report_in", "case.release_summons"]

    final = detail(client, keys["dispatcher"], case)
    assert [e["action"] for e in final["timeline"]][-3:] == ["whistle", "report_in", "release"]
    assert "whistle" in final["actions"] and "release" not in final["actions"]  # nothing pending to release
    listed = client.get(f"/api/v1/cases/{case.pk}/summonses", **keys["dispatcher"]).json()
    assert listed == final["summonses"] and len(listed) == 1


def test_a_department_key_outside_its_scope_gets_404_as_for_a_missing_case(client, tree, cases, departments, keys):
    case = cases["public"]
    summons = whistle(client, keys["dispatcher"], case, [departments["city"]]).json()
    report_in_id = summons["departments"][0]["id"]
    outsider = keys["jz-handler"]  # 蓟州区城管委: not summoned, not in 和平区
    missing = client.get("/api/v1/cases/999999999/summonses", **outsider)
    assert missing.status_code == 404
    attempts = [
        client.get(f"/api/v1/cases/{case.pk}", **outsider),
        client.get(f"/api/v1/cases/{case.pk}/summonses", **outsider),
        client.get(f"/api/v1/cases/{case.pk}/dispatch-units", **outsider),
        post(client, outsider, report_in_url(case, report_in_id), note="报到"),
        post(client, outsider, report_in_url(case, report_in_id, "release"), reason="x"),
        whistle(client, outsider, case, [departments["jz-city"]]),
    ]
    assert [r.status_code for r in attempts] == [404] * 6
    assert {r.content for r in attempts[1:]} == {missing.content}  # nothing tells the case exists
    assert ReportIn.objects.get(pk=report_in_id).status == ReportInStatus.PENDING
    assert Summons.objects.filter(case=case).count() == 1


def test_a_report_in_of_another_case_is_404(client, tree, cases, departments, keys, categories):
    case = cases["public"]
    summons = whistle(client, keys["dispatcher"], case, [departments["city"]]).json()
    other = Case.objects.create(
        tracking_code="OTHER0001",
        text="另一件",
        region=tree.regions["新华社区"],
        is_public=True,
        created_at=case.created_at,
    )
    response = post(client, keys["handler"], report_in_url(other, summons["departments"][0]["id"]), note="x")
    assert response.status_code == 404


def test_release_by_anyone_but_the_whistling_side_is_refused(client, english, tree, cases, departments, keys):
    case = cases["public"]
    report_in_id = whistle(client, keys["dispatcher"], case, [departments["city"]]).json()["departments"][0]["id"]
    for who in ("handler", "leader", "resident"):  # the summoned department itself, a leader, the reporter
        response = post(client, keys[who], report_in_url(case, report_in_id, "release"), reason="我们不去")
        assert response.status_code == 403, (who, response.content)
        assert response.json()["detail"] == "Only the whistling centre releases a summons."
    assert ReportIn.objects.get(pk=report_in_id).status == ReportInStatus.PENDING
    # the community centre of the case may whistle, so it may release
    released = post(client, keys["community"], report_in_url(case, report_in_id, "release"), reason="已自行解决")
    assert released.status_code == 200


def test_only_the_summoned_department_reports_in(client, english, tree, cases, departments, keys):
    case = cases["public"]
    report_in_id = whistle(client, keys["dispatcher"], case, [departments["city"]]).json()["departments"][0]["id"]
    for who in ("dispatcher", "water"):  # the whistler; a department of the district not summoned on it
        response = post(client, keys[who], report_in_url(case, report_in_id), note="到了")
        assert response.status_code in (403, 404), (who, response.content)
    assert post(client, keys["dispatcher"], report_in_url(case, report_in_id), note="到了").json()["detail"] == (
        "Only the summoned department reports in."
    )
    assert ReportIn.objects.get(pk=report_in_id).status == ReportInStatus.PENDING


def test_reporting_in_twice_or_after_a_release_is_a_clear_422(client, english, tree, cases, departments, keys):
    case = cases["public"]
    summons = whistle(client, keys["dispatcher"], case, [departments["city"], departments["water"]]).json()
    rows = by_department(summons)
    city, water = rows["和平区城管委"]["id"], rows["和平区水务局"]["id"]
    assert post(client, keys["handler"], report_in_url(case, city), note="已处置").status_code == 200
    again = post(client, keys["handler"], report_in_url(case, city), note="再报一次")
    assert again.status_code == 422
    assert again.json()["detail"] == [
        {
            "loc": ["path", "report_in_id"],
            "msg": "This department has already reported in or been released.",
            "type": "value_error",
        }
    ]
    assert ReportIn.objects.get(pk=city).note == "已处置"  # the first report stands
    assert post(client, keys["dispatcher"], report_in_url(case, water, "release"), reason="无关").status_code == 200
    late = post(client, keys["water"], report_in_url(case, water), note="到了")
    assert late.status_code == 422 and late.json()["detail"][0]["loc"] == ["path", "report_in_id"]
    twice = post(client, keys["dispatcher"], report_in_url(case, water, "release"), reason="无关")
    assert twice.status_code == 422 and twice.json()["detail"][0]["loc"] == ["path", "report_in_id"]
    assert CaseEvent.objects.filter(case=case, action="report_in").count() == 1


def test_an_empty_note_or_reason_names_its_field(client, english, tree, cases, departments, keys):
    case = cases["public"]
    report_in_id = whistle(client, keys["dispatcher"], case, [departments["city"]]).json()["departments"][0]["id"]
    note = post(client, keys["handler"], report_in_url(case, report_in_id), note="  ")
    assert note.status_code == 422
    assert note.json()["detail"] == [
        {"loc": ["body", "note"], "msg": "Say what the department did.", "type": "value_error"}
    ]
    reason = post(client, keys["dispatcher"], report_in_url(case, report_in_id, "release"))
    assert reason.status_code == 422 and reason.json()["detail"][0]["loc"] == ["body", "reason"]


@pytest.mark.parametrize(
    ("change", "loc", "message"),
    [
        ({"department_ids": []}, ["body", "department_ids"], "Name at least one department to report in."),
        ({"reason": " "}, ["body", "reason"], "Say why the departments are summoned."),
        (
            {"due_at": "2020-01-01T08:00:00+08:00"},
            ["body", "due_at"],
            "The time to report in by must be in the future.",
        ),
        ({"due_at": "9999-12-31T23:59:00+00:00"}, ["body", "due_at"], "Departments report in within 7 days at most."),
    ],
)
def test_whistle_input_errors_name_the_field(client, english, tree, cases, departments, keys, change, loc, message):
    body = {"department_ids": [departments["city"].pk], "reason": "井盖塌陷", **change}
    response = post(client, keys["dispatcher"], f"/cases/{cases['public'].pk}/summonses", **body)
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == [{"loc": loc, "msg": message, "type": "value_error"}]
    assert not Summons.objects.exists()


def test_a_unit_that_is_no_department_of_the_district_is_named_not_dropped(
    client, english, tree, cases, departments, keys
):
    office, foreign = tree.units["劝业场街道办事处"], departments["jz-city"]
    response = whistle(client, keys["dispatcher"], cases["public"], [departments["city"], office, foreign])
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "department_ids"]
    assert error["msg"] == f"Not a functional department of this case's district: {office.pk}, {foreign.pk}."
    assert not Summons.objects.exists()


def test_whistle_is_for_the_centre_of_the_case_and_not_on_a_closed_case(
    client, english, tree, cases, departments, keys
):
    case = cases["public"]
    assert whistle(client, keys["dispatcher"], case, [departments["city"]]).status_code == 201
    refused = whistle(client, keys["handler"], case, [departments["water"]])  # summoned, it sees the case: no whistle
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the street/township or community centre of this case may whistle."
    Case.objects.filter(pk=case.pk).update(state="closed")
    closed = whistle(client, keys["dispatcher"], case, [departments["water"]])
    assert closed.status_code == 422
    assert closed.json()["detail"] == [
        {"loc": ["path", "case_id"], "msg": "A closed case cannot be whistled.", "type": "value_error"}
    ]
    assert "whistle" not in detail(client, keys["dispatcher"], case)["actions"]


def test_whistle_with_a_due_time_and_the_same_department_once(client, tree, cases, departments, keys):
    due = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    city = departments["city"]
    response = whistle(client, keys["dispatcher"], cases["public"], [city, city], due_at=due.isoformat())
    assert response.status_code == 201
    assert timezone.datetime.fromisoformat(response.json()["due_at"]) == due
    assert [row["department"]["id"] for row in response.json()["departments"]] == [city.pk]
    local = timezone.localtime(due).replace(tzinfo=None)  # no offset: the platform's local time (Beijing)
    naive = whistle(client, keys["dispatcher"], cases["public"], [city], due_at=local.isoformat())
    assert timezone.datetime.fromisoformat(naive.json()["due_at"]) == due


def test_whistle_is_idempotent_with_an_idempotency_key(client, tree, cases, departments, keys):
    case = cases["public"]
    key = {**keys["dispatcher"], "HTTP_IDEMPOTENCY_KEY": "whistle-1"}
    first = whistle(client, key, case, [departments["city"]])
    again = whistle(client, key, case, [departments["city"]])
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Summons.objects.filter(case=case).count() == 1
    other = whistle(client, key, case, [departments["water"]])
    assert other.status_code == 422 and other.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert whistle(client, keys["dispatcher"], case, [departments["city"]]).status_code == 201  # no key: a new one
    assert Summons.objects.filter(case=case).count() == 2


def test_a_retried_report_in_with_its_key_answers_the_first(client, tree, cases, departments, keys):
    case = cases["public"]
    report_in_id = whistle(client, keys["dispatcher"], case, [departments["city"]]).json()["departments"][0]["id"]
    key = {**keys["handler"], "HTTP_IDEMPOTENCY_KEY": "report-1"}
    first = post(client, key, report_in_url(case, report_in_id), note="已到场")
    retry = post(client, key, report_in_url(case, report_in_id), note="已到场")
    assert first.status_code == retry.status_code == 200 and retry["Idempotent-Replayed"] == "true"
    assert CaseEvent.objects.filter(case=case, action="report_in").count() == 1


def test_a_late_report_in_is_kept_as_late(client, tree, cases, departments, keys):
    case = cases["public"]
    report_in_id = whistle(client, keys["dispatcher"], case, [departments["city"]]).json()["departments"][0]["id"]
    Summons.objects.filter(case=case).update(due_at=timezone.now() - timedelta(minutes=1))
    row = post(client, keys["handler"], report_in_url(case, report_in_id), note="晚到").json()["departments"][0]
    assert row["is_on_time"] is False


def test_the_detail_lists_summonses_and_the_callers_actions(client, tree, cases, departments, keys):
    case = cases["public"]
    assert detail(client, keys["dispatcher"], case)["summonses"] == []
    whistle(client, keys["dispatcher"], case, [departments["city"]])
    dispatcher, community, handler, leader = (
        detail(client, keys[who], case) for who in ("dispatcher", "community", "handler", "leader")
    )
    assert {"dispatch", "whistle", "release"} <= set(dispatcher["actions"]) and "report_in" not in dispatcher["actions"]
    assert {"whistle", "release"} <= set(community["actions"])
    assert "report_in" in handler["actions"] and not {"whistle", "release", "dispatch"} & set(handler["actions"])
    assert not {"whistle", "release", "report_in"} & set(leader["actions"])
    admin = detail(client, keys["admin"], case)  # may release, but acts for no unit that could whistle
    assert "release" in admin["actions"] and "whistle" not in admin["actions"]
    assert whistle(client, keys["admin"], case, [departments["water"]]).status_code == 422
    [summons] = dispatcher["summonses"]
    assert summons["departments"][0]["department"]["name"] == "和平区城管委"
    assert summons["departments"][0]["status_label"]  # the status in the reader's language


def test_the_detail_shows_the_dispatch_deadline(client, tree, cases, keys):
    case = cases["public"]
    due = (timezone.now() + timedelta(hours=1)).replace(microsecond=0)
    Case.objects.filter(pk=case.pk).update(intake_due=due)
    shown = detail(client, keys["dispatcher"], case)
    assert timezone.datetime.fromisoformat(shown["intake_due"]) == due and shown["is_intake_overdue"] is False
    Case.objects.filter(pk=case.pk).update(intake_due=timezone.now() - timedelta(minutes=5))
    assert detail(client, keys["dispatcher"], case)["is_intake_overdue"] is True
    Case.objects.filter(pk=case.pk).update(dispatched_at=timezone.now(), state="dispatched")
    assert detail(client, keys["dispatcher"], case)["is_intake_overdue"] is False  # the clock stopped at dispatch


def test_a_release_written_before_events_named_their_report_in_still_shows_its_time(
    client, tree, cases, departments, keys
):
    case = cases["public"]
    report_in_id = whistle(client, keys["dispatcher"], case, [departments["city"]]).json()["departments"][0]["id"]
    ReportIn.objects.filter(pk=report_in_id).update(status=ReportInStatus.RELEASED, note="旧的解除")
    at = timezone.now().replace(microsecond=0)
    CaseEvent.objects.create(case=case, at=at, action="release", unit=departments["city"], reason="旧的解除")
    row = detail(client, keys["dispatcher"], case)["summonses"][0]["departments"][0]
    assert timezone.datetime.fromisoformat(row["released_at"]) == at and row["release_reason"] == "旧的解除"


def test_the_summons_endpoints_are_documented(client, tree):
    schema = client.get("/api/v1/openapi.json").json()
    operations = [
        ("/api/v1/cases/{case_id}/summonses", "get"),
        ("/api/v1/cases/{case_id}/summonses", "post"),
        ("/api/v1/cases/{case_id}/report-ins/{report_in_id}/report-in", "post"),
        ("/api/v1/cases/{case_id}/report-ins/{report_in_id}/release", "post"),
        ("/api/v1/cases/{case_id}/dispatch-units", "get"),
    ]
    for path, method in operations:
        operation = schema["paths"][path][method]
        assert operation["summary"], path
        assert {"401", "403", "404", "422"} <= set(operation["responses"]), path
    assert {"SummonsOut", "SummonsIn", "DispatchUnitPage"} <= set(schema["components"]["schemas"])


def test_the_detail_reads_summonses_in_a_fixed_number_of_queries(client, tree, cases, departments, keys):
    case = cases["public"]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            detail(client, keys["dispatcher"], case)
        return len(captured)

    whistle(client, keys["dispatcher"], case, [departments["city"]])
    one = queries()
    whistle(client, keys["dispatcher"], case, [departments["city"], departments["water"]])
    whistle(client, keys["dispatcher"], case, [departments["water"]])
    assert queries() == one  # three summonses of four departments: no query per summons or department


def test_each_release_shows_its_own_time_when_a_department_was_summoned_twice(client, tree, cases, departments, keys):
    case = cases["public"]
    first = whistle(client, keys["dispatcher"], case, [departments["city"]]).json()["departments"][0]["id"]
    second = whistle(client, keys["dispatcher"], case, [departments["city"]]).json()["departments"][0]["id"]
    for report_in_id in (second, first):  # the later summons is released first
        url = report_in_url(case, report_in_id, "release")
        assert post(client, keys["dispatcher"], url, reason=f"解除{report_in_id}").status_code == 200
    events = {  # JSON carries milliseconds
        e.reason: e.at.replace(microsecond=e.at.microsecond // 1000 * 1000)
        for e in CaseEvent.objects.filter(case=case, action="release")
    }
    assert len(set(events.values())) == 2
    rows = [s["departments"][0] for s in detail(client, keys["dispatcher"], case)["summonses"]]
    for row in rows:
        assert timezone.datetime.fromisoformat(row["released_at"]) == events[row["release_reason"]]


def test_the_summons_flow_works_on_a_private_case(client, tree, cases, departments, keys):
    """Cases are private by default: the street's and the summoned department's keys work on them as on the page,
    and see the text redacted."""
    case = cases["hidden"]
    assert not case.is_public
    assert client.get(f"/api/v1/cases/{case.pk}", **keys["handler"]).status_code == 404  # not summoned yet
    units = client.get(f"/api/v1/cases/{case.pk}/dispatch-units?kind=department", **keys["dispatcher"])
    assert units.status_code == 200
    assert {item["name"] for item in units.json()["items"]} == {"和平区城管委", "和平区水务局"}
    response = whistle(client, keys["dispatcher"], case, [departments["city"], departments["water"]])
    assert response.status_code == 201, response.content
    rows = by_department(response.json())

    seen = detail(client, keys["handler"], case)  # summoned, the department now sees the private case
    assert "report_in" in seen["actions"] and seen["is_public"] is False
    assert "李秘密" not in seen["text"] and "137****1111" in seen["text"]
    reported = post(client, keys["handler"], report_in_url(case, rows["和平区城管委"]["id"]), note="已到场处置")
    assert reported.status_code == 200, reported.content
    assert by_department(reported.json())["和平区城管委"]["status"] == "reported"
    released = post(
        client, keys["dispatcher"], report_in_url(case, rows["和平区水务局"]["id"], "release"), reason="无关"
    )
    assert released.status_code == 200, released.content
    assert not released.json()["is_open"]
    assert audit_actions(case)[-3:] == ["case.whistle", "case.report_in", "case.release_summons"]
    listed = client.get(f"/api/v1/cases/{case.pk}/summonses", **keys["water"])  # released, it still sees its row
    assert listed.status_code == 200 and by_department(listed.json()[0])["和平区水务局"]["status"] == "released"


def test_a_department_key_out_of_scope_gets_404_on_a_private_case(client, tree, cases, departments, keys):
    case = cases["hidden"]
    report_in_id = whistle(client, keys["dispatcher"], case, [departments["city"]]).json()["departments"][0]["id"]
    missing = client.get("/api/v1/cases/999999999/summonses", **keys["water"])
    for who in ("water", "jz-handler", "resident"):  # a department of the district not summoned; another district's
        attempts = [
            client.get(f"/api/v1/cases/{case.pk}", **keys[who]),
            client.get(f"/api/v1/cases/{case.pk}/summonses", **keys[who]),
            client.get(f"/api/v1/cases/{case.pk}/dispatch-units", **keys[who]),
            post(client, keys[who], report_in_url(case, report_in_id), note="报到"),
            post(client, keys[who], report_in_url(case, report_in_id, "release"), reason="x"),
            whistle(client, keys[who], case, [departments["water"]]),
            post(client, keys[who], f"/cases/{case.pk}/actions/accept"),
        ]
        assert [r.status_code for r in attempts] == [404] * 7, who
        assert {r.content for r in attempts[1:6]} == {missing.content}, who
    assert ReportIn.objects.get(pk=report_in_id).status == ReportInStatus.PENDING
    assert Summons.objects.filter(case=case).count() == 1
