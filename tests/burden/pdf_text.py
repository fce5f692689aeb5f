"""Read the text back out of an fpdf2 PDF without a PDF library: the content streams' glyph ids mapped through each
font's ToUnicode CMap (what a PDF viewer does to copy or search text). Enough for the documents fpdf2 writes."""

from __future__ import annotations

import re
import zlib

OBJECT = re.compile(rb"(\d+) 0 obj\s*")
STREAM_START = re.compile(rb"stream\r?\n|endobj")
LENGTH = re.compile(rb"/Length (\d+)(?! \d+ R)")
SHOW = re.compile(rb"/F(\d+) [\d.]+ Tf|\(((?:[^\\)]|\\.)*)\) ?Tj", re.S)
ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes]]:
    """Each object's dictionary and its (decompressed) stream. A stream is read by its /Length, never up to the
    next "endstream": compressed bytes may end in a carriage return that a pattern would take for the line end."""
    found = {}
    position = 0
    while match := OBJECT.search(data, position):
        start = match.end()
        marker = STREAM_START.search(data, start)
        if marker is None:
            break
        head = data[start : marker.start()]
        raw = b""
        position = marker.end()
        if marker.group(0) != b"endobj":
            length = LENGTH.search(head)
            assert length, "fpdf2 writes a direct /Length on every stream"
            raw = data[position : position + int(length.group(1))]
            position = data.index(b"endobj", position + len(raw)) + len(b"endobj")
            if b"/FlateDecode" in head:
                raw = zlib.decompress(raw)
        found[int(match.group(1))] = (head, raw)
    return found


def _cmap(stream: bytes) -> dict[int, str]:
    mapping = {}
    for section in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for glyph, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", section):
            mapping[int(glyph, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for section in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
        for low, high, start in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", section):
            first = ord(bytes.fromhex(start.decode()).decode("utf-16-be"))
            for offset, glyph in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[glyph] = chr(first + offset)
    return mapping


def _unescape(raw: bytes) -> bytes:
    return re.sub(rb"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), raw, flags=re.S)


def embedded_fonts(data: bytes) -> list[str]:
    """The names of the fonts whose program is embedded (FontFile, FontFile2 or FontFile3)."""
    return [
        m.group(1).decode()
        for head, _raw in _objects(data).values()
        if re.search(rb"/FontFile\d? \d+ 0 R", head)
        for m in [re.search(rb"/FontName /([^\s/]+)", head)]
        if m
    ]


def pdf_text(data: bytes) -> str:
    objects = _objects(data)
    fonts: dict[int, dict[int, str]] = {}
    for head, _raw in objects.values():
        for name, number in re.findall(rb"/F(\d+) (\d+) 0 R", head):
            font_head = objects[int(number)][0]
            to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", font_head)
            if to_unicode:
                fonts[int(name)] = _cmap(objects[int(to_unicode.group(1))][1])
    contents = {int(n) for head, _raw in objects.values() for n in re.findall(rb"/Contents (\d+) 0 R", head)}
    pieces = []
    for number in sorted(contents):
        current: dict[int, str] = {}
        for match in SHOW.finditer(objects[number][1]):
            if match.group(1):
                current = fonts.get(int(match.group(1)), {})
                continue
            glyphs = _unescape(match.group(2))
            codes = [int.from_bytes(glyphs[i : i + 2], "big") for i in range(0, len(glyphs) - 1, 2)]
            pieces.append("".join(current.get(code, "?") for code in codes))
    return "\n".join(pieces)
