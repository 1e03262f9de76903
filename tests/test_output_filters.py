"""The one place the project quiets output: demoted log lines, plain logs, filtered warnings."""

from __future__ import annotations

import io
import logging

import pytest
from rich.console import Console
from rich.logging import RichHandler

from customer_segmentation.output_filters import (
    PLAIN_FORMAT,
    THIRD_PARTY_WARNINGS,
    Demote,
    UnactionableWarnings,
    use_plain_logs_outside_terminal,
)


@pytest.fixture
def catalog_logger(caplog):
    logger = logging.getLogger("tests.catalog")
    logger.addFilter(Demote(r"^Loading data from (params:|parameters )"))
    caplog.set_level(logging.INFO, logger="tests.catalog")
    yield logger
    logger.filters.clear()


def test_a_parameter_load_is_demoted_and_other_loads_stay(catalog_logger, caplog):
    catalog_logger.info("Loading data from %s (%s)...", "params:rfm", "MemoryDataset")
    catalog_logger.info("Loading data from %s (%s)...", "model_input", "ParquetDataset")

    assert [record.getMessage() for record in caplog.records] == [
        "Loading data from model_input (ParquetDataset)..."
    ]


def test_a_demoted_line_shows_at_debug(catalog_logger, caplog):
    caplog.set_level(logging.DEBUG, logger="tests.catalog")

    catalog_logger.info("Loading data from %s (%s)...", "parameters", "MemoryDataset")

    assert [record.levelname for record in caplog.records] == ["DEBUG"]


def test_a_listed_warning_is_dropped_from_the_log_and_others_kept():
    unactionable = UnactionableWarnings()

    def record(message: str) -> logging.LogRecord:
        return logging.LogRecord(
            "py.warnings", logging.WARNING, "", 0, message, (), None
        )

    assert not unactionable.filter(
        record("x.py:1: UserWarning: register_new_resolver() is deprecated")
    )
    assert unactionable.filter(record("x.py:1: UserWarning: something else"))


def test_rich_logs_become_plain_lines_outside_a_terminal():
    root = logging.getLogger()
    saved = list(root.handlers)
    stream = io.StringIO()
    rich = RichHandler(console=Console(file=stream, force_terminal=False))
    root.handlers = [rich]
    try:
        use_plain_logs_outside_terminal()
        (handler,) = root.handlers
    finally:
        root.handlers = saved

    assert type(handler) is logging.StreamHandler
    assert handler.stream is stream
    assert handler.formatter._fmt == PLAIN_FORMAT


def test_rich_logs_stay_in_a_terminal():
    root = logging.getLogger()
    saved = list(root.handlers)
    rich = RichHandler(console=Console(file=io.StringIO(), force_terminal=True))
    root.handlers = [rich]
    try:
        use_plain_logs_outside_terminal()
        handlers = list(root.handlers)
    finally:
        root.handlers = saved

    assert handlers == [rich]


def test_every_filtered_warning_names_its_message_and_reason():
    for _action, message, _category, module, why in THIRD_PARTY_WARNINGS:
        assert message and module and why
        # tests/conftest.py passes each entry to pytest as "action:message:category:module".
        assert ":" not in message + module
