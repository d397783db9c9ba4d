"""Rows before validation: physical line spans, with or without CR and a final newline."""

from __future__ import annotations

import numpy as np

from rocketpost.orders.io.rows import decode_spans, line_spans, strip_bom


def test_line_spans_drop_line_ends_and_keep_blank_lines() -> None:
    data = "\ufeffa,b\r\n\r\nc\n".encode()
    text = strip_bom(data)
    starts, ends = line_spans(np.frombuffer(text, dtype=np.uint8))
    assert decode_spans(text, starts, ends) == ["a,b", "", "c"]
    starts, ends = line_spans(np.frombuffer(b"x\ny", dtype=np.uint8))
    assert decode_spans(b"x\ny", starts, ends) == ["x", "y"]
