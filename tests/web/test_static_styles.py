"""Styles live in the static style sheets (web/static/web/*.css), never in an inline <style> block of a template."""

from pathlib import Path

import fuhe

SOURCE = Path(fuhe.__file__).resolve().parent


def test_no_template_holds_an_inline_style_block():
    inline = [
        str(path.relative_to(SOURCE)) for path in SOURCE.rglob("templates/**/*.html") if "<style" in path.read_text()
    ]
    assert inline == []


def test_every_patrol_page_links_the_patrol_sheet():
    pages = sorted((SOURCE / "cases" / "templates" / "cases").glob("patrol*.html"))
    assert [page.name for page in pages] == ["patrol.html", "patrol_done.html", "patrol_spot_checks.html"]
    for page in pages:
        assert "{% static 'web/patrol.css' %}" in page.read_text(), page.name
    assert ".patrol .tile" in (SOURCE / "web" / "static" / "web" / "patrol.css").read_text()
