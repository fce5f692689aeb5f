"""Documents shown as pages: the metric definitions (docs/metrics.md), so every figure can link to its own.

The definitions are written twice, in English (``docs/metrics.md``) and in Chinese (``docs/metrics.zh-Hans.md``),
with the same headings and anchors (a test keeps them in step); the page shows the one of the reader's language.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, to_locale


def metric_definitions_path(language: str | None = None) -> Path:
    """The definitions file of a language (``metrics.zh-Hans.md`` for zh-hans), else the English one."""
    docs = settings.BASE_DIR / "docs"
    locale = to_locale(language or get_language() or settings.LANGUAGE_CODE)  # "zh-hans" → "zh_Hans"
    translated = docs / f"metrics.{locale.replace('_', '-')}.md"
    return translated if translated.exists() else docs / "metrics.md"


def metric_definitions(*, path: Path | None = None) -> list[dict]:
    """The definitions in the reader's language as ``markdown_blocks``; 404 when they are not installed."""
    path = path or metric_definitions_path()
    if not path.exists():
        raise Http404("The metric definitions are not installed")
    return markdown_blocks(path.read_text(encoding="utf-8"))


_ANCHOR = re.compile(r"\s*\{#([a-z0-9-]+)\}\s*$")
_LIST_ITEM = re.compile(r"^\s*[*-] ")
_INLINE = re.compile(r"`([^`]+)`|\*\*(.+?)\*\*|\[([^\]]+)\]\((#[a-z0-9-]+)\)")


def inline_html(text: str) -> SafeString:
    """The inline Markdown of the definitions, escaped: ``code``, **strong** and [links](#anchor) within the page
    (any other link stays text)."""
    parts: list[str] = []
    position = 0
    for match in _INLINE.finditer(text):
        parts.append(escape(text[position : match.start()]))
        code, strong, label, href = match.groups()
        if code is not None:
            parts.append(f"<code>{escape(code)}</code>")
        elif strong is not None:
            parts.append(f"<strong>{inline_html(strong)}</strong>")
        else:
            parts.append(f'<a href="{escape(href)}">{inline_html(label)}</a>')
        position = match.end()
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308  (every piece of text above is escaped)


_CJK_OR_PUNCTUATION = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_CHINESE_PUNCTUATION = re.compile(r"[\u3000-\u303f\uff00-\uffef]")


def join_lines(lines: list[str]) -> str:
    """A paragraph's source lines as one line: joined by a space, except between two Chinese characters or after
    Chinese punctuation (a Chinese sentence broken across lines has no space there)."""
    text = ""
    for line in (line.strip() for line in lines):
        chinese_seam = text and (
            _CHINESE_PUNCTUATION.match(text[-1])
            or (_CJK_OR_PUNCTUATION.match(text[-1]) and _CJK_OR_PUNCTUATION.match(line[0]))
        )
        text = f"{text}{line}" if not text or chinese_seam else f"{text} {line}"
    return text


def _paragraph(lines: list[str]) -> dict:
    """A paragraph, a list (lines starting "* ", indented lines continuing an item) or an indented code block."""
    if all(line.startswith("    ") for line in lines):
        return {"kind": "pre", "text": "\n".join(line[4:] for line in lines)}
    if _LIST_ITEM.match(lines[0]):
        items: list[list[str]] = []
        for line in lines:
            if _LIST_ITEM.match(line):
                items.append([_LIST_ITEM.sub("", line, count=1)])
            else:
                items[-1].append(line)
        return {"kind": "ul", "items": [inline_html(join_lines(item)) for item in items]}
    text = join_lines(lines)
    return {"kind": "p", "text": text, "html": inline_html(text)}


def markdown_blocks(text: str) -> list[dict]:
    """Just enough Markdown for the definitions page: headings with anchors, lists, code blocks and paragraphs.

    A heading ``## Satisfaction rate {#satisfaction-rate}`` becomes ``{"kind": "h", "level": 3, "text":
    "Satisfaction rate", "id": "satisfaction-rate"}`` (one level down, at most h4; without ``{#…}`` the anchor is
    its first word, lower case); the lines between blank lines become one paragraph (``kind`` "p", its lines joined
    by ``join_lines``), a list (``ul``) or a code block (``pre``, every line indented by four spaces)."""
    blocks: list[dict] = []
    paragraph: list[str] = []
    for line in text.splitlines():
        if line.startswith("#"):
            if paragraph:
                blocks.append(_paragraph(paragraph))
                paragraph = []
            level = len(line) - len(line.lstrip("#"))
            title = line.lstrip("#").strip()
            anchor = _ANCHOR.search(title)
            if anchor:
                title = title[: anchor.start()].strip()
            identifier = anchor.group(1) if anchor else title.split()[0].lower()
            blocks.append({"kind": "h", "level": min(level + 1, 4), "text": title, "id": identifier})
        elif line.strip():
            paragraph.append(line)
        elif paragraph:
            blocks.append(_paragraph(paragraph))
            paragraph = []
    if paragraph:
        blocks.append(_paragraph(paragraph))
    return blocks
