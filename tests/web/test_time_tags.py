"""``|time_element``: the text ``|date`` would print, inside ``<time datetime="ISO 8601">``; and every date a
template prints goes through it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

import fuhe


def render(source: str, **context) -> str:
    with translation.override("zh-hans"), timezone.override("Asia/Shanghai"):
        return Template("{% load time_tags %}" + source).render(Context(context))


MOMENT = datetime(2026, 3, 2, 1, 30, 15, 123456, tzinfo=UTC)  # 09:30 in Shanghai


@pytest.mark.parametrize("fmt", ["Y-m-d H:i", "m-d H:i", "Y-m-d"])
def test_the_visible_text_is_what_date_prints_and_the_attribute_is_local_iso(fmt):
    printed = render(f'{{{{ moment|date:"{fmt}" }}}}', moment=MOMENT)
    assert render(f'{{{{ moment|time_element:"{fmt}" }}}}', moment=MOMENT) == (
        f'<time datetime="2026-03-02T09:30:15+08:00">{printed}</time>'
    )


def test_the_datetime_attribute_has_no_microseconds_html_allows_at_most_three_digits():
    rendered = render('{{ moment|time_element:"H:i" }}', moment=MOMENT)
    assert rendered == '<time datetime="2026-03-02T09:30:15+08:00">09:30</time>'


def test_a_date_keeps_a_bare_date():
    assert render('{{ day|time_element:"Y-m-d" }}', day=date(2026, 3, 2)) == (
        '<time datetime="2026-03-02">2026-03-02</time>'
    )


def test_an_iso_string_is_read_as_a_date_and_other_text_is_printed_escaped():
    assert render('{{ week|time_element:"Y-m-d" }}', week="2026-03-09") == (
        '<time datetime="2026-03-09">2026-03-09</time>'
    )
    assert render('{{ moment|time_element:"m-d H:i" }}', moment="2026-03-02T01:30:00+00:00") == (
        '<time datetime="2026-03-02T09:30:00+08:00">03-02 09:30</time>'
    )
    assert render('{{ text|time_element:"Y-m-d" }}', text="<b>soon</b>") == "&lt;b&gt;soon&lt;/b&gt;"


@pytest.mark.parametrize("value", [None, ""])
def test_nothing_prints_nothing_so_default_still_works(value):
    assert render('{{ due|time_element:"Y-m-d H:i" }}', due=value) == ""
    assert render('{{ due|time_element:"Y-m-d H:i"|default:"—" }}', due=value) == "—"


TEMPLATES = sorted(Path(fuhe.__file__).parent.glob("*/templates/**/*.html"))
PRINTED_DATE = re.compile(r"\{\{[^}]*\|date\b[^}]*\}\}")


def inside_a_tag(source: str, position: int) -> bool:
    """Whether ``position`` falls between a ``<`` and its ``>`` (an attribute value such as an input's value or a
    link's query), where a <time> element cannot go."""
    return source.rfind("<", 0, position) > source.rfind(">", 0, position)


def printed_date_problems(name: str, source: str) -> list[str]:
    problems = []
    for match in PRINTED_DATE.finditer(source):
        if not inside_a_tag(source, match.start()):
            line = source.count("\n", 0, match.start()) + 1
            problems.append(f"{name} line {line}: {match.group(0)} prints a date outside <time> (use |time_element)")
    for match in re.finditer(r"<time(?![^>]*\bdatetime=)[^>]*>", source):
        problems.append(f"{name}: {match.group(0)} has no datetime attribute")
    return problems


@pytest.mark.parametrize(
    "snippet",
    [
        '<td>{{ c.resolution_due|date:"m-d H:i"|default:"—" }}</td>',
        "<li><time>{{ e.at }}</time></li>",
        "<p>{{ d|date }}</p>",
    ],
)
def test_the_template_check_fails_on_a_bare_date(snippet):
    assert printed_date_problems("snippet", snippet)


def test_the_template_check_allows_dates_in_attribute_values():
    snippet = """<input id="first" type="date" value="{{ first|date:'Y-m-d' }}">
    <a href="?first={{ first|date:'Y-m-d' }}">x</a><td class="{% if c.due|date:'U' < now %}overdue{% endif %}">"""
    assert printed_date_problems("snippet", snippet) == []


def test_every_date_a_template_prints_is_inside_a_time_element():
    problems = []
    for path in TEMPLATES:
        problems += printed_date_problems(path.name, path.read_text(encoding="utf-8"))
    assert problems == []
