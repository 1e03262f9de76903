"""The answer's segments are written in chunks, byte for byte as one serialiser call."""

import datetime as dt

import pydantic_core

from customer_segmentation.api.app import json_list


def test_chunks_write_the_same_bytes_as_one_call():
    items = [
        {"customer_id": f"c{index}", "clv": index / 3, "when": dt.datetime(2025, 1, 1)}
        for index in range(7)
    ]

    for chunk in (1, 2, 3, 7, 100):
        assert json_list(items, chunk=chunk) == pydantic_core.to_json(items)
    assert json_list([]) == b"[]"
