"""Tests of the request batcher, with a stand-in scoring function."""

import asyncio

import pytest

from customer_segmentation.api.batching import ScoringBatcher


def double(rows: list[dict]) -> list[dict]:
    if any(row["x"] < 0 for row in rows):
        raise ValueError("x should be >= 0")
    return [{"x": row["x"] * 2} for row in rows]


async def score_concurrently(batcher: ScoringBatcher, requests: list[list[dict]]):
    await batcher.start()
    try:
        return await asyncio.gather(
            *(batcher.score(rows) for rows in requests), return_exceptions=True
        )
    finally:
        await batcher.stop()


def test_each_request_gets_its_own_rows_back_in_order():
    requests = [[{"x": 1}, {"x": 2}], [{"x": 3}], [{"x": 4}, {"x": 5}, {"x": 6}]]

    answers = asyncio.run(score_concurrently(ScoringBatcher(double, 100), requests))

    assert answers == [
        [{"x": 2}, {"x": 4}],
        [{"x": 6}],
        [{"x": 8}, {"x": 10}, {"x": 12}],
    ]


def test_a_failing_request_does_not_fail_the_requests_batched_with_it():
    requests = [[{"x": 1}], [{"x": -1}], [{"x": 2}]]

    answers = asyncio.run(score_concurrently(ScoringBatcher(double, 100), requests))

    assert answers[0] == [{"x": 2}]
    assert isinstance(answers[1], ValueError)
    assert answers[2] == [{"x": 4}]


def test_score_before_start_is_refused():
    batcher = ScoringBatcher(double, 100)

    with pytest.raises(RuntimeError, match=r"called before start\(\)"):
        asyncio.run(batcher.score([{"x": 1}]))
