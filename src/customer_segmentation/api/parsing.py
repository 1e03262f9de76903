"""Turns a request body into what the service scores; a large body is parsed in a worker process.

Parsing and validating a maximum-size body (30 MB of JSON) is one long call that
holds the interpreter lock for about a second, during which no other request of
the server, ``/health`` included, can be answered. A body larger than
``LARGE_BODY_BYTES`` is therefore parsed in a separate process, which sends back
the request's lines as Arrow tables (cheap to receive); a smaller one is parsed on
the scoring thread, where it takes milliseconds.
"""

from __future__ import annotations

import datetime as dt
import functools
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import ibis
import pyarrow as pa
import pydantic_core
from pydantic import BaseModel, ValidationError

from customer_segmentation.pipelines.data_processing.settings import (
    TRANSACTION_COLUMNS,
    TRANSACTION_TYPES,
)
from customer_segmentation.pipelines.feature_engineering.domains import FeatureDomain
from customer_segmentation.pipelines.inference.settings import ApiSettings

from .schemas import build_customer_attributes, build_segments_request

LARGE_BODY_BYTES = 2 * 1024 * 1024
MAX_ERRORS = 20
MAX_ECHO = 40
MAX_MESSAGE = 600


def _prefix(value: Any) -> str:
    text = value if isinstance(value, str) else pydantic_core.to_json(value).decode()
    return text if len(text) <= MAX_ECHO else f"{text[:MAX_ECHO]}..."


def short_errors(error: ValidationError) -> list[dict[str, Any]]:
    """The first validation errors, each naming field and rule, with a short echo.

    Args:
        error: Pydantic's validation error of the body.

    Returns:
        Up to ``MAX_ERRORS`` entries ``{loc, msg, type, input}`` (``type`` is the
        rule; ``input`` at most ``MAX_ECHO`` characters of the bad value), and one
        more entry counting the errors left out.
    """
    errors = error.errors(include_url=False, include_context=False)
    details = [
        {
            "loc": ["body", *item["loc"]],
            "msg": item["msg"][:MAX_MESSAGE],
            "type": item["type"],
            "input": _prefix(item.get("input")),
        }
        for item in errors[:MAX_ERRORS]
    ]
    if len(errors) > MAX_ERRORS:
        details.append(
            {
                "loc": ["body"],
                "msg": f"{len(errors) - MAX_ERRORS} more error(s) not shown",
                "type": "too_many_errors",
                "input": None,
            }
        )
    return details


@dataclass(frozen=True)
class InvalidBody:
    """A body refused before scoring: 400 (not JSON) or 422 (a field breaks a rule)."""

    status: int
    content: dict[str, Any]


@dataclass(frozen=True)
class FeatureRequest:
    """Feature values, one mapping per customer."""

    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class TransactionRequest:
    """Raw lines (only the columns the request gives), optional attributes and date."""

    lines: pa.Table
    attributes: pa.Table | None
    reference_date: dt.datetime | None


Parsed = InvalidBody | FeatureRequest | TransactionRequest


@dataclass(frozen=True)
class RequestModel:
    """What the body model is built from (picklable, so a worker builds its own).

    Attributes:
        domains: Numeric model feature -> its domain.
        categorical: Categorical model features.
        limits: The API's list-length limits.
        attribute_types: Canonical attribute column -> engine type.
        numeric_attributes: Numeric attribute columns.
        categorical_attributes: Categorical attribute columns.
        date_attributes: Date attribute columns.
    """

    domains: dict[str, FeatureDomain]
    categorical: list[str]
    limits: ApiSettings
    attribute_types: dict[str, str]
    numeric_attributes: list[str]
    categorical_attributes: list[str]
    date_attributes: list[str]

    def build(self) -> type[BaseModel]:
        """The ``POST /v1/segments`` body model (see ``build_segments_request``)."""
        return build_segments_request(
            self.domains,
            self.categorical,
            self.limits,
            build_customer_attributes(
                self.numeric_attributes,
                self.categorical_attributes,
                self.date_attributes,
            ),
        )


def line_columns(lines: list[dict[str, Any]]) -> list[str]:
    """The request's own columns: required ones, and optional ones some line gives."""
    value = "line_total" if lines and lines[0].get("line_total") is not None else None
    required = {"customer_id", "invoice_date", value or "unit_price"}
    if value is None:
        required.add("quantity")
    return [
        name
        for name in TRANSACTION_COLUMNS
        if name in required
        or (
            name not in {"unit_price", "line_total"}
            and any(line.get(name) is not None for line in lines)
        )
    ]


def arrow_rows(rows: list[dict[str, Any]], types: dict[str, str]) -> pa.Table:
    """Rows as an Arrow table with exactly ``types``' columns and types."""
    schema = ibis.schema(types).to_pyarrow()
    return pa.Table.from_pydict(
        {column: [row.get(column) for row in rows] for column in types}, schema=schema
    )


def parse_body(
    model: type[BaseModel], attribute_types: dict[str, str], body: bytes
) -> Parsed:
    """Validates a body and turns it into the rows the service scores.

    Args:
        model: The body model.
        attribute_types: Canonical attribute column -> engine type.
        body: The raw body.

    Returns:
        The request, or why it is refused.
    """
    try:
        parsed = model.model_validate_json(body)
    except ValidationError as error:
        if error.errors()[0]["type"] == "json_invalid":
            return InvalidBody(400, {"detail": "body is not valid JSON"})
        return InvalidBody(422, {"detail": short_errors(error)})
    if parsed.customers is not None:
        return FeatureRequest([customer.model_dump() for customer in parsed.customers])
    lines = [line.model_dump() for line in parsed.transactions]
    columns = line_columns(lines)
    return TransactionRequest(
        lines=arrow_rows(lines, {name: TRANSACTION_TYPES[name] for name in columns}),
        attributes=None
        if parsed.attributes is None
        else arrow_rows(
            [row.model_dump() for row in parsed.attributes], attribute_types
        ),
        reference_date=parsed.reference_date,
    )


_WORKER_MODEL: dict[str, Any] = {}


def _start_worker(model: RequestModel) -> None:
    _WORKER_MODEL["model"] = model.build()
    _WORKER_MODEL["attribute_types"] = model.attribute_types


def _no_op() -> None:
    return None


def _parse_in_worker(body: bytes) -> Parsed:
    return parse_body(_WORKER_MODEL["model"], _WORKER_MODEL["attribute_types"], body)


class BodyParser:
    """Parses bodies on the calling thread, or in a worker process when large.

    Args:
        model: What the body model is built from.
        large_body_bytes: Bodies larger than this are parsed in the worker
            process (see :meth:`start`).
    """

    def __init__(
        self, model: RequestModel, large_body_bytes: int = LARGE_BODY_BYTES
    ) -> None:
        self.recipe = model
        self.model = model.build()
        self.large_body_bytes = large_body_bytes
        self._worker: ProcessPoolExecutor | None = None

    def parse(self, body: bytes) -> Parsed:
        """The request a body holds (blocks the calling thread, not the server)."""
        if len(body) <= self.large_body_bytes:
            return parse_body(self.model, self.recipe.attribute_types, body)
        return self._process().submit(_parse_in_worker, body).result()

    def start(self) -> None:
        """Starts the worker process in the background, so no request waits for it.

        Starting a process is itself a pause of the server; done here, at
        start-up, it never falls in a request.
        """
        self._process().submit(_no_op)

    def close(self) -> None:
        """Stops the worker process, if one was started."""
        if self._worker is not None:
            self._worker.shutdown(cancel_futures=True)
            self._worker = None

    @functools.cached_property
    def _context(self) -> Any:
        # A fresh interpreter: forking a process with engine threads is unsafe.
        return multiprocessing.get_context("spawn")

    def _process(self) -> ProcessPoolExecutor:
        if self._worker is None:
            self._worker = ProcessPoolExecutor(
                1,
                mp_context=self._context,
                initializer=_start_worker,
                initargs=(self.recipe,),
            )
        return self._worker
