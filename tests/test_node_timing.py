"""The node timing hook: one parseable INFO line per node, inputs to last output."""

import logging
import math

import pytest
from kedro.pipeline import Node

from customer_segmentation.node_timing import NodeTimingHooks, parse_node_timings


def _identity(value: int) -> int:
    return value


NODE = Node(_identity, "numbers", "same_numbers", name="copy_numbers_node")
SINK = Node(_identity, "numbers", None, name="consume_numbers_node")


def test_a_node_is_logged_once_its_last_output_is_saved(caplog):
    hooks = NodeTimingHooks()
    with caplog.at_level(logging.INFO, logger="customer_segmentation.node_timing"):
        hooks.before_dataset_loaded(node=NODE)
        hooks.before_node_run(node=NODE)
        hooks.after_node_run(node=NODE)
        assert not caplog.records
        hooks.after_dataset_saved(dataset_name="same_numbers", node=NODE)

    [timing] = parse_node_timings(caplog.text)
    assert timing["node"] == "copy_numbers_node"
    assert timing["seconds"] == pytest.approx(
        timing["load"] + timing["run"] + timing["save"], abs=0.01
    )
    assert timing["rss_gib"] > 0
    assert timing["peak_rss_gib"] >= timing["rss_gib"] - 0.01
    assert timing["cpu"] >= 0


def test_a_line_without_processor_time_still_parses():
    line = (
        "node_timing node=flag_transactions_node seconds=12.345 load=0.010 "
        "run=0.200 save=12.135 rss_gib=1.234 peak_rss_gib=2.345"
    )

    [timing] = parse_node_timings(line)

    assert timing["save"] == pytest.approx(12.135)
    assert math.isnan(timing["cpu"])


def test_a_node_without_outputs_is_logged_after_it_runs(caplog):
    hooks = NodeTimingHooks()
    with caplog.at_level(logging.INFO, logger="customer_segmentation.node_timing"):
        hooks.before_node_run(node=SINK)
        hooks.after_node_run(node=SINK)

    assert [row["node"] for row in parse_node_timings(caplog.text)] == [
        "consume_numbers_node"
    ]


def test_a_failing_node_is_logged_as_failed(caplog):
    hooks = NodeTimingHooks()
    with caplog.at_level(logging.INFO, logger="customer_segmentation.node_timing"):
        hooks.before_dataset_loaded(node=NODE)
        hooks.on_node_error(node=NODE)

    assert caplog.records[0].getMessage().endswith(" failed")
    assert parse_node_timings(caplog.text)[0]["node"] == "copy_numbers_node"
