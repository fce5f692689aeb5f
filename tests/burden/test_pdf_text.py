"""The test-side PDF reader itself: a stream is read by its length, so compressed bytes that end in a carriage
return (which happens for some report texts, depending on the time it was generated) are read whole."""

from __future__ import annotations

import zlib

from tests.burden.pdf_text import _objects


def _stream_ending_in_carriage_return() -> tuple[bytes, bytes]:
    for i in range(100_000):
        text = f"text {i} ".encode() * 3
        packed = zlib.compress(text)
        if packed.endswith(b"\r"):
            return text, packed
    raise AssertionError("no such payload")


def test_a_compressed_stream_ending_in_a_carriage_return_is_read_whole():
    text, packed = _stream_ending_in_carriage_return()
    pdf = (
        b"%PDF-1.4\n3 0 obj\n<</Type /Pages>>\nendobj\n4 0 obj\n<</Filter /FlateDecode /Length "
        + str(len(packed)).encode()
        + b">>\nstream\n"
        + packed
        + b"\nendstream\nendobj\n"
    )
    objects = _objects(pdf)
    assert objects[4][1] == text
    assert objects[3] == (b"<</Type /Pages>>\n", b"")
