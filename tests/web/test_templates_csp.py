"""Every template is fit for a strict Content-Security-Policy (script-src 'self'): no inline script, no on*= event
handler, no javascript: URL, no htmx attribute that evaluates script; and every region HTMX swaps is a live region
that stays in the page, so a screen reader hears the update. Each check is first shown to fail on a bad snippet."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

import fuhe

TEMPLATES = sorted(Path(fuhe.__file__).parent.glob("*/templates/**/*.html"))
REQUESTS = ("hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete")
SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript|js):", re.IGNORECASE)


@dataclass
class Element:
    tag: str
    attributes: dict[str, str]
    line: int


class Scan(HTMLParser):
    """The start tags of a document: name, attributes and line."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append(Element(tag, {name: value or "" for name, value in attrs}, self.getpos()[0]))

    handle_startendtag = handle_starttag


TEMPLATE_TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.DOTALL)
TEMPLATE_VARIABLE = re.compile(r"\{\{.*?\}\}", re.DOTALL)


def elements(source: str) -> list[Element]:
    """The start tags, with the template's tags blanked and its variables written as ``x`` (so ``{% if %}`` inside
    a tag adds no attribute, and ``id="pd-{{ key }}"`` and ``hx-target="#pd-{{ key }}"`` still match)."""
    scan = Scan()
    scan.feed(TEMPLATE_VARIABLE.sub("x", TEMPLATE_TAG.sub(" ", source)))
    scan.close()
    return scan.elements


def csp_violations(source: str) -> list[str]:
    """What a script-src 'self' policy would block (or what needs 'unsafe-eval'), one line each."""
    found = []
    for element in elements(source):
        where = f"line {element.line}: <{element.tag}>"
        if element.tag == "script" and "src" not in element.attributes:
            found.append(f"{where} inline script (move it to a static file and feed it with json_script)")
        for name, value in element.attributes.items():
            if name.startswith("on"):
                found.append(f"{where} inline event handler {name}=")
            if name.startswith(("hx-on", "data-hx-on")) or name in ("hx-vars", "data-hx-vars"):
                found.append(f"{where} {name}= evaluates script")
            if SCRIPT_URL.match(value):
                found.append(f"{where} script URL in {name}=")
    return found


def live_region_problems(sources: dict[str, str]) -> list[str]:
    """Every element that sends an HTMX request names its target; the target is an element of some template with
    aria-live="polite", and the swap keeps it in the page (an outerHTML swap replaces the live region itself, and a
    live region that arrives with its content is not announced)."""
    by_id: dict[str, list[Element]] = {}
    for source in sources.values():
        for element in elements(source):
            if "id" in element.attributes:
                by_id.setdefault(element.attributes["id"], []).append(element)
    problems = []
    for name, source in sources.items():
        for element in elements(source):
            if not any(request in element.attributes for request in REQUESTS):
                continue
            where = f"{name} line {element.line}: <{element.tag}>"
            target = element.attributes.get("hx-target")
            swap = element.attributes.get("hx-swap", "innerHTML").split()[0]
            if target is None:
                problems.append(f"{where} sends a request without naming its hx-target")
                continue
            if target == "this":
                targets = [element]
            elif target.startswith("#"):
                targets = by_id.get(target[1:], [])
            else:
                problems.append(f"{where} hx-target={target!r}: name the live region by its id")
                continue
            if not targets:
                problems.append(f"{where} hx-target={target!r} is in no template")
            for region in targets:
                if region.attributes.get("aria-live") != "polite":
                    problems.append(f'{where} hx-target={target!r} has no aria-live="polite"')
            if swap in ("outerHTML", "delete"):
                problems.append(f"{where} hx-swap={swap!r} replaces the live region itself")
    return problems


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def relative(path: Path) -> str:
    return str(path.relative_to(Path(fuhe.__file__).parent))


def test_the_walk_finds_the_templates():
    names = {relative(path) for path in TEMPLATES}
    assert len(names) > 40
    assert {"web/templates/web/base.html", "burden/templates/burden/load.html", "cases/templates/cases/rates.html"} <= (
        names
    )


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        "<script type='module'>import('/x.js')</script>",
        '<select name="language" onchange="this.form.submit()"></select>',
        '<body onload="start()">',
        '<img src="x.png" ONERROR="steal()">',
        '<a href="javascript:void(0)">x</a>',
        '<a href=" JavaScript:go()">x</a>',
        '<form action="javascript:send()"></form>',
        '<button hx-on:click="alert(1)">x</button>',
        '<div hx-vars="a:window.secret"></div>',
    ],
)
def test_the_csp_check_fails_on_inline_script(snippet):
    assert csp_violations(f"{{% load static %}}<div>{snippet}</div>")


def test_the_csp_check_passes_static_scripts_and_json_data():
    allowed = """{% load static %}{{ chart|json_script:"load-json" }}
    <script src="{% static 'web/charts.js' %}" defer></script>
    <select id="language" data-submit-on-change>
      {% for c in codes %}<option value="{{ c }}">{{ c }}</option>{% endfor %}</select>
    <a href="{% url 'web:home' %}" title="no javascript: URLs here">x</a>"""
    assert csp_violations(allowed) == []


@pytest.mark.parametrize("path", TEMPLATES, ids=relative)
def test_no_template_has_inline_script_handlers_or_script_urls(path):
    assert csp_violations(read(path)) == []


@pytest.mark.parametrize(
    ("sources", "problem"),
    [
        ({"a": '<form hx-get="/x"></form>'}, "without naming its hx-target"),
        ({"a": '<form hx-get="/x" hx-target="#rows"></form><div id="rows"></div>'}, 'no aria-live="polite"'),
        ({"a": '<form hx-get="/x" hx-target="#rows"></form>', "b": '<div id="rows"></div>'}, "no aria-live"),
        (
            {"a": '<form hx-get="/x" hx-target="#rows" hx-swap="outerHTML"></form><div id="rows" aria-live="polite">'},
            "replaces the live region itself",
        ),
        ({"a": '<section hx-get="/x" hx-trigger="every 1s" hx-target="this"></section>'}, "no aria-live"),
        ({"a": '<form hx-post="/x" hx-target="#gone"></form>'}, "is in no template"),
        ({"a": '<form hx-post="/x" hx-target="closest tr"></form>'}, "name the live region by its id"),
    ],
)
def test_the_live_region_check_fails_on_a_silent_target(sources, problem):
    problems = live_region_problems(sources)
    assert problems and problem in problems[0]


def test_the_live_region_check_passes_a_persistent_live_target():
    sources = {
        "page": '<form hx-get="/x" hx-target="#results" hx-swap="innerHTML"></form>'
        '<div id="results" aria-live="polite">{% include "rows.html" %}</div>',
        "row": '<button type="button" hx-post="/y" hx-target="this" aria-live="polite">x</button>',
    }
    assert live_region_problems(sources) == []


def test_every_htmx_target_is_a_live_region_that_stays_in_the_page():
    sources = {relative(path): read(path) for path in TEMPLATES}
    requesting = [name for name, source in sources.items() if any(f"{r}=" in source for r in REQUESTS)]
    assert len(requesting) >= 7  # the walk sees the HTMX pages (lists, reveal, effort, import progress)
    assert live_region_problems(sources) == []
