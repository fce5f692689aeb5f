"""Everything a person reads is in their language (issue 14, item 4).

Every page reachable from the navigation, every URL without an object id (and those with the ids of the fixture's
case, duty list, task, region, unit and person), the forms sent empty or wrong and the refusals of the services
shown through the views (a dispatch without a unit, a summons without a reason, an admission refusal …) are
rendered for every role, in Simplified Chinese (the default) and in English (the language cookie).

- In Chinese, the visible text (tags, scripts and styles stripped; the title, placeholder and aria-label
  attributes kept) may hold no English word outside an allow-list of codes, proper nouns and the fixture's
  usernames.
- In English, it may hold no Chinese characters except those of the data (names of regions, units, people, a
  case's text): every text value of the database is the allow-list, read after the page was rendered.

Each offender is printed with its URL and role.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse

from fuhe.burden.models import Task
from fuhe.cases.models import Case
from fuhe.duties.models import DutyList
from tests.burden.conftest import burden  # noqa: F401  (fixtures used by name)
from tests.burden.views.conftest import frozen, issue, tasks  # noqa: F401
from tests.cases.conftest import housing  # noqa: F401

pytestmark = pytest.mark.django_db

ANONYMOUS = ""
STAFF = [
    "grid",
    "community",
    "dispatcher",
    "handler",
    "leader",
    "supervisor",
    "volunteer",
    "resident",
    "admin",
    "jz-dispatcher",
    "office",
    "housing",
]

# ---------------------------------------------------------------------------------------------------------------------
# Reading a page


class _VisibleText(HTMLParser):
    """The text a person reads: text nodes outside script/style/template, plus title, placeholder, aria-label and
    alt attributes and the value of a button-like input."""

    HIDDEN = {"script", "style", "template", "noscript", "code", "kbd", "samp"}  # code: column names, file keys
    ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden_depth += 1
            return
        values = dict(attrs)
        self.parts += [values[name] or "" for name in self.ATTRIBUTES if name in values]
        if tag == "input" and values.get("type") in ("submit", "button", "reset"):
            self.parts.append(values.get("value") or "")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden_depth:
            self.hidden_depth -= 1

    def handle_data(self, data):
        if not self.hidden_depth:
            self.parts.append(data)


def visible_text(response) -> list[str]:
    content_type = response.get("Content-Type", "")
    if "spreadsheetml" in content_type:  # an export: the text of its cells
        from io import BytesIO

        from openpyxl import load_workbook

        workbook = load_workbook(BytesIO(response.content), read_only=True)
        cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for cell in row]
        return [sheet.title for sheet in workbook.worksheets] + [cell for cell in cells if isinstance(cell, str)]
    body = response.content.decode(response.charset or "utf-8", errors="replace")
    if "html" not in content_type:
        return [body]
    parser = _VisibleText()
    parser.feed(body)
    return [" ".join(part.split()) for part in parser.parts if part.strip()]


# ---------------------------------------------------------------------------------------------------------------------
# What counts as untranslated

#: words that are the same in both languages: product and format names, codes, units of measure
ALLOWED_WORDS = {
    "api",
    "app",
    "csv",
    "excel",
    "xlsx",
    "pdf",
    "htmx",
    "open311",
    "openapi",
    "georeport",
    "json",
    "xml",
    "txt",
    "url",
    "sms",
    "id",
    "mb",
    "kb",
    "km",
    "ok",
    "utf",
    "gbk",
    "gb18030",
    "jpeg",
    "png",
    "webp",
    "csrf",
    "http",
    "https",
    "wilson",  # the Wilson interval
    "fuhe",  # the product's name in Latin letters
    # the fixture's usernames (data)
    *(name for person in STAFF for name in person.split("-")),
    "jz",
}
_LATIN_NOISE = re.compile(
    r"https?://\S+|\S+@\S+|\b[\w.-]+\.(?:xlsx|csv|pdf|json|xml|md|txt|svg|png|js|css)\b|"
    r"\b(?=\w*\d)\w+(?:-\w+)*\b|"  # codes with digits: tracking codes, duty item codes, division codes
    r"\b[a-z]+(?:[._][a-z0-9]+)+\b"  # identifiers: "org.population", "street_dispatcher", "pop.elderly_80"
)
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
#: Chinese that an English page shows on purpose: the names of the languages in the language switch, the logo
ALLOWED_CHINESE = {"简体中文", "复合"}


def english_left(text: str) -> list[str]:
    """The runs of English words in a Chinese page's text (single words count when they are not codes)."""
    text = _LATIN_NOISE.sub(" ", text)
    offenders = []
    run: list[str] = []
    position = 0
    for match in _WORD.finditer(text):
        word = match.group()
        gap = text[position : match.start()]
        position = match.end()
        # upper case: codes (tracking codes, acronyms); one letter: a list mark or a unit
        allowed = word.lower() in ALLOWED_WORDS or word.isupper() or len(word) == 1
        if run and (allowed or _CJK.search(gap) or any(c in gap for c in "\n|·")):
            offenders.append(" ".join(run))
            run = []
        if not allowed:
            run.append(word)
    if run:
        offenders.append(" ".join(run))
    return offenders


def data_strings() -> str:
    """Every text value of the database (names of regions, units and people, a case's text, a task's title …)."""
    values: list[str] = []
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            values += [str(value) for value in row if value]
    return "\n".join(values)


#: an English label may gloss the official Chinese term it translates, in brackets: "Summon departments (吹哨)"
_GLOSS = re.compile(r"(?<=[A-Za-z]) \([\u3400-\u9fff]+\)")


def chinese_left(text: str, data: str) -> list[str]:
    text = _GLOSS.sub("", text)
    return [run for run in _CJK.findall(text) if run not in ALLOWED_CHINESE and run not in data]


# ---------------------------------------------------------------------------------------------------------------------
# The pages and the wrong inputs


@dataclass(frozen=True)
class Visit:
    method: str
    url: str
    who: tuple[str, ...]
    data: dict | None = None


@dataclass
class World:
    tree: object
    case: Case
    dispatched: Case
    duty_list: DutyList
    tasks: dict[str, Task]


def _everyone(url: str) -> list[Visit]:
    return [Visit("GET", url, tuple(STAFF))]


def _bad_duty_sheet(world: World) -> dict:
    """A duty sheet whose every row is refused: the row errors of the importer, named by row and column."""
    from io import BytesIO

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["code", "matter", "owner_level"])
    workbook.active.append(["A-1", "", ""])
    workbook.active.append(["A-1", "事项", ""])
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "bad.xlsx"
    return {"name": "坏清单", "region": world.tree.regions["和平区"].pk, "file": buffer}


def _act(world: World, case: Case, who: str, **data) -> Visit:
    return Visit("POST", reverse("cases:act", args=[case.pk]), (who,), data)


PAGES: dict[str, Callable[[World], list[Visit]]] = {
    "web:login": lambda w: [
        Visit("GET", reverse("web:login"), (ANONYMOUS,)),
        Visit("POST", reverse("web:login"), (ANONYMOUS,), {"username": "grid", "password": "wrong"}),
        Visit("POST", reverse("web:login"), (ANONYMOUS,), {}),
    ],
    "web:home": lambda w: _everyone(reverse("web:home")),
    "web:regions": lambda w: [
        *_everyone(reverse("web:region_index")),
        *_everyone(reverse("web:region_index") + "?q=无此地名"),
        *_everyone(reverse("web:region_detail", args=[w.tree.regions["和平区"].pk])),
        *_everyone(reverse("web:region_detail", args=[w.tree.regions["花园路社区"].pk])),
        *_everyone(reverse("web:region_detail", args=[w.tree.regions["花园路社区第1网格"].pk])),
    ],
    "web:units": lambda w: [
        *_everyone(reverse("web:unit_index")),
        *_everyone(reverse("web:unit_detail", args=[w.tree.units["劝业场街道办事处"].pk])),
        *_everyone(reverse("web:unit_detail", args=[w.tree.units["和平区城管委"].pk])),
    ],
    "web:people": lambda w: [
        *_everyone(reverse("web:person_detail", args=[w.tree.people["grid"].pk])),
        *_everyone(reverse("web:person_detail", args=[w.tree.people["dispatcher"].pk])),
    ],
    "web:not_found": lambda w: [*_everyone("/no-such-page/"), Visit("GET", "/no-such-page/", (ANONYMOUS,))],
    "web:nul_guard": lambda w: [Visit("POST", reverse("cases:report"), (ANONYMOUS,), {"text": "a\x00b"})],
    "cases:report": lambda w: [
        Visit("GET", reverse("cases:report"), (ANONYMOUS,)),
        Visit("POST", reverse("cases:report"), (ANONYMOUS,), {}),
        Visit("POST", reverse("cases:report"), (ANONYMOUS,), {"text": "路灯坏了", "phone": "123"}),
    ],
    "cases:track": lambda w: [
        Visit("GET", reverse("cases:track"), (ANONYMOUS,)),
        Visit("POST", reverse("cases:track"), (ANONYMOUS,), {}),
        Visit("POST", reverse("cases:track"), (ANONYMOUS,), {"code": "NOPE", "phone_tail": "1234"}),
        Visit("GET", reverse("cases:track_case", args=[w.case.tracking_code]), (ANONYMOUS,)),
    ],
    "cases:worklist": lambda w: [
        *_everyone(reverse("cases:worklist")),
        *_everyone(reverse("cases:worklist") + "?q=井盖"),
        *_everyone(reverse("cases:queue")),
        *_everyone(reverse("cases:notifications")),
    ],
    "cases:bulk_dispatch": lambda w: [
        Visit("POST", reverse("cases:bulk_dispatch"), ("dispatcher",), {"case": [w.case.pk], "unit": ""}),
    ],
    "cases:detail": lambda w: [
        *_everyone(reverse("cases:detail", args=[w.case.pk])),
        *_everyone(reverse("cases:detail", args=[w.dispatched.pk])),
    ],
    "cases:act": lambda w: [
        _act(w, w.case, "dispatcher", action="dispatch"),
        _act(w, w.case, "dispatcher", action="dispatch", unit=w.tree.units["蓟州区城管委"].pk),
        _act(w, w.case, "dispatcher", action="whistle", reason=""),
        _act(w, w.case, "dispatcher", action="whistle", departments=[w.tree.units["和平区城管委"].pk]),
        _act(w, w.case, "dispatcher", action="merge", into="NOPE"),
        _act(w, w.case, "dispatcher", action="no-such-action"),
        _act(w, w.case, "dispatcher", action="request_extension", days=99),
        _act(w, w.case, "grid", action="dispatch", unit=w.tree.units["和平区城管委"].pk),
        _act(w, w.dispatched, "handler", action="reply", outcome="resolved", text=""),
        _act(w, w.dispatched, "handler", action="request_extension", reason=""),
        _act(w, w.dispatched, "handler", action="return", reason=""),
        _act(w, w.dispatched, "dispatcher", action="follow_up"),
        _act(w, w.dispatched, "handler", action="report_in", report_in="999999"),
    ],
    "cases:intake": lambda w: [
        *_everyone(reverse("cases:intake")),
        *_everyone(reverse("cases:patrol")),
        Visit("POST", reverse("cases:intake"), ("dispatcher",), {}),
        Visit("POST", reverse("cases:patrol"), ("grid",), {"reporter_phone": "12"}),
    ],
    "cases:rates": lambda w: [
        *_everyone(reverse("cases:rates")),
        Visit("GET", reverse("cases:rates") + "?format=xlsx", ("leader",)),
    ],
    "cases:metrics_doc": lambda w: _everyone(reverse("cases:metrics_doc")),
    "cases:import": lambda w: [
        *_everyone(reverse("cases:import_upload")),
        Visit("POST", reverse("cases:import_upload"), ("admin", "dispatcher"), {}),
        *_everyone(reverse("cases:calendar_import")),
        Visit("POST", reverse("cases:calendar_import"), ("admin",), {}),
    ],
    "duties:index": lambda w: [
        *_everyone(reverse("duties:index")),
        Visit("POST", reverse("duties:index"), ("admin",), {}),
        Visit("POST", reverse("duties:index"), ("admin",), _bad_duty_sheet(w)),
    ],
    "duties:detail": lambda w: [
        *_everyone(reverse("duties:detail", args=[w.duty_list.pk])),
        *_everyone(reverse("duties:report", args=[w.duty_list.pk])),
        *_everyone(reverse("duties:item_new", args=[w.duty_list.pk])),
        Visit("POST", reverse("duties:activate", args=[w.duty_list.pk]), ("admin",), {}),
        Visit("POST", reverse("duties:delete", args=[w.duty_list.pk]), ("admin",), {}),
    ],
    "routing:dashboard": lambda w: [
        *_everyone(reverse("routing:dashboard")),
        Visit("POST", reverse("routing:decide", args=[w.case.pk]), ("dispatcher",), {}),
    ],
    "burden:home": lambda w: [
        *_everyone(reverse("burden:home")),
        *_everyone(reverse("burden:load")),
        *_everyone(reverse("burden:admission")),
        *_everyone(reverse("burden:report")),
        *_everyone(reverse("burden:catalogue")),
    ],
    "burden:task_new": lambda w: [
        *_everyone(reverse("burden:task_new")),
        Visit("POST", reverse("burden:task_new"), ("handler",), {}),
    ],
    "burden:task_detail": lambda w: [
        *[visit for task in w.tasks.values() for visit in _everyone(reverse("burden:task_detail", args=[task.pk]))],
        Visit("POST", reverse("burden:task_decide", args=[w.tasks["refused"].pk]), ("office",), {}),
    ],
    "burden:target": lambda w: [
        *_everyone(reverse("burden:target_detail", args=[w.tasks["target"].pk])),
        *_everyone(reverse("burden:target_detail", args=[w.tasks["refused_target"].pk])),
        Visit("POST", reverse("burden:target_effort", args=[w.tasks["target"].pk]), ("community",), {}),
        Visit("POST", reverse("burden:target_bypass", args=[w.tasks["refused_target"].pk]), ("community",), {}),
    ],
}


@pytest.fixture
def world(burden, tasks, housing, new_case, login) -> World:  # noqa: F811
    tree = burden
    case = new_case(address="花园路社区3号楼", region=tree.regions["花园路社区第1网格"])
    dispatched = new_case(text="小区门口路灯不亮", address="花园路社区5号楼", region=tree.regions["花园路社区第1网格"])
    from fuhe.cases.services.actions import case_perform

    case_perform(
        actor=tree.people["dispatcher"], case=dispatched, action="dispatch", unit=tree.units["和平区城管委"].pk
    )
    dispatched.refresh_from_db()
    duty_list = DutyList.objects.filter(region=tree.regions["和平区"]).first()
    return World(tree=tree, case=case, dispatched=dispatched, duty_list=duty_list, tasks=tasks)


@pytest.fixture
def new_case(tree):
    from fuhe.cases.services.intake import case_create

    def make(**fields):
        fields = {
            "actor": tree.people["resident"],
            "channel": "web",
            "text": "花园路3号楼前井盖缺失，夜里很危险",
            "reporter_phone": "13912345678",
            **fields,
        }
        return case_create(**fields).case

    return make


def _responses(client, world: World, visits: list[Visit], language: str) -> Iterator[tuple[str, str, object]]:
    for visit in visits:
        for who in visit.who:
            client.logout()
            client.cookies.clear()
            if who:
                client.force_login(world.tree.people[who])
            if language != settings.LANGUAGE_CODE:
                client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            if visit.method == "GET":
                response = client.get(visit.url, follow=True)
            else:
                response = client.post(visit.url, visit.data or {}, follow=True)
            yield f"{visit.method} {visit.url}", who or "anonymous", response


def _typed(visits: list[Visit]) -> str:
    """What the visits typed into forms: echoed back by a refused form, it is data too."""
    values = [str(value) for visit in visits for value in (visit.data or {}).values()]
    return "\n".join(values + [visit.url for visit in visits])


def without_typed(text: str, typed_values: list[str]) -> str:
    """The text without what the visit typed, each value removed as a whole word only: the action "dispatch"
    typed into a form leaves the username "dispatcher" whole (cutting it left a stray "er")."""
    for typed in typed_values:
        text = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(typed)}(?![A-Za-z0-9_])", " ", text)
    return text


def _check(client, world: World, page: str, language: str) -> None:
    offenders: list[str] = []
    seen: set[tuple[str, str]] = set()
    data = None
    visits = PAGES[page](world)
    typed_values = sorted((str(v) for visit in visits for v in (visit.data or {}).values() if str(v)), key=len)[::-1]
    for where, who, response in _responses(client, world, visits, language):
        assert response.status_code < 500, f"{where} as {who}: {response.status_code}"
        if language == "en" and data is None:
            data = data_strings() + "\n" + _typed(visits)
        for text in visible_text(response):
            if language.startswith("zh"):
                text = without_typed(text, typed_values)  # what the visit typed, echoed back, is data
                found = english_left(text)
            else:
                found = chinese_left(text, data or "")
            for run in found:
                if (where, run) not in seen:
                    seen.add((where, run))
                    offenders.append(f"{where} as {who}: {run!r}  in  {text[:160]!r}")
    if offenders:
        print(f"\n{len(offenders)} untranslated on {page} ({language}):\n" + "\n".join(offenders))
    assert not offenders, f"{len(offenders)} untranslated texts on {page} ({language}); first: {offenders[0]}"


@pytest.mark.parametrize("page", list(PAGES))
def test_chinese_pages_hold_no_english_sentence(client, world, page):
    _check(client, world, page, "zh-hans")


@pytest.mark.parametrize("page", list(PAGES))
def test_english_pages_hold_no_chinese_outside_the_data(client, world, page):
    _check(client, world, page, "en")


# ---------------------------------------------------------------------------------------------------------------------
# The checker itself


def test_english_runs_are_found_and_codes_are_not():
    assert english_left("原因：say why the departments are summoned") == ["say why the departments are summoned"]
    assert english_left("Please answer: 常住人口") == ["Please answer"]
    assert english_left("工单 HP2603020001 · SQ-02 · Excel 文件 report.xlsx · PDF · dispatcher") == []
    assert english_left("Cases") == ["Cases"]


def test_typed_values_are_removed_as_whole_words_only():
    assert without_typed("派单人 dispatcher", ["dispatch"]) == "派单人 dispatcher"
    assert english_left(without_typed("操作 dispatch 失败", ["dispatch"])) == []


def test_chinese_outside_the_data_is_found():
    data = "花园路社区\n和平区城管委"
    assert chinese_left("Sent to 和平区城管委 of 花园路社区", data) == []
    assert chinese_left("Reason: 请说明原因", data) == ["请说明原因"]
    assert chinese_left("Language: 简体中文", data) == []
    assert chinese_left("Summon departments (吹哨)", data) == []
    assert chinese_left("(吹哨) first", data) == ["吹哨"]


def test_visible_text_keeps_labels_and_drops_scripts():
    class Page:
        charset = "utf-8"
        content = b'<p title="A title">Body<script>var x = "hidden text"</script></p><input placeholder="Type here">'

        def get(self, name, default=""):
            return "text/html; charset=utf-8"

    assert visible_text(Page()) == ["A title", "Body", "Type here"]


# ---------------------------------------------------------------------------------------------------------------------
# Errors look like errors


def test_an_error_message_is_an_alert_and_a_success_is_a_status(world, client):
    client.force_login(world.tree.people["dispatcher"])
    act = reverse("cases:act", args=[world.case.pk])
    refused = client.post(act, {"action": "whistle", "reason": ""}, follow=True).content.decode()
    assert re.search(r'<li class="error" role="alert">[^<]*请至少选择一个需报到的部门', refused), refused
    unit = world.tree.units["和平区城管委"].pk
    done = client.post(act, {"action": "dispatch", "unit": unit}, follow=True).content.decode()
    assert re.search(r'<li class="success" role="status">', done)
    assert 'role="alert"' not in done.split('id="messages"')[1].split("</ul>")[0]


def test_the_style_sheet_paints_errors_red_and_successes_green():
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("web/fuhe.css")).read_text(encoding="utf-8")
    error = re.search(r"\.messages li\.error[^{]*\{([^}]*)\}", css)
    success = re.search(r"\.messages li\.success[^{]*\{([^}]*)\}", css)
    assert error and "#fdecea" in error.group(1) and "#b00020" in error.group(1)
    assert success and "#e6f4ea" in success.group(1)


def test_the_rates_workbook_speaks_the_reader_language(world, client):
    client.force_login(world.tree.people["leader"])
    url = reverse("cases:rates") + "?format=xlsx&by=street"
    chinese = visible_text(client.get(url))
    assert chinese[0] == "三率" and {"排名", "街道（乡镇）", "满意率 分子", "未评价"} <= set(chinese)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = visible_text(client.get(url))
    assert english[0] == "Three rates" and {"Rank", "Street / township", "Satisfaction rate numerator"} <= set(english)
    assert not [text for text in english if _CJK.search(text) and text not in data_strings()]
