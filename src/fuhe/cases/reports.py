"""Documents shown as pages: the metric definitions (docs/metrics.md), so every figure can link to its own."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import Http404


def metric_definitions(*, path: Path | None = None) -> list[dict]:
    """docs/metrics.md as ``markdown_blocks``; 404 when the definitions are not installed."""
    path = path or settings.BASE_DIR / "docs" / "metrics.md"
    if not path.exists():
        raise Http404("The metric definitions are not installed")
    return markdown_blocks(path.read_text(encoding="utf-8"))


def markdown_blocks(text: str) -> list[dict]:
    """Just enough Markdown for the definitions page: headings with anchors, tables and paragraphs kept as text.

    A heading ``## satisfaction-rate`` becomes ``{"kind": "h", "level": 3, "text": "satisfaction-rate",
    "id": "satisfaction-rate"}`` (one level down, at most h4; the anchor is its first word, lower case); the lines
    between blank lines become one ``{"kind": "p", "text": …}`` with their line breaks kept."""
    blocks: list[dict] = []
    paragraph: list[str] = []
    for line in text.splitlines():
        if line.startswith("#"):
            if paragraph:
                blocks.append({"kind": "p", "text": "\n".join(paragraph)})
                paragraph = []
            level = len(line) - len(line.lstrip("#"))
            title = line.lstrip("#").strip()
            blocks.append({"kind": "h", "level": min(level + 1, 4), "text": title, "id": title.split()[0].lower()})
        elif line.strip():
            paragraph.append(line)
        elif paragraph:
            blocks.append({"kind": "p", "text": "\n".join(paragraph)})
            paragraph = []
    if paragraph:
        blocks.append({"kind": "p", "text": "\n".join(paragraph)})
    return blocks
