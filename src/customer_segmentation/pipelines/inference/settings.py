"""Typed parameters of batch and real-time scoring (parameters_inference.yml)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

MEBIBYTE = 1024 * 1024
# Rows up to which a request's table is held as a value by the API. A held table
# saves binding its queries (about 15 ms of a 10-line request) but costs about
# 10 microseconds per value to convert; at about 100 lines the two cancel out
# (docs/inference.md).
HELD_ROWS = 100


class ApiSettings(BaseModel):
    """Limits and defaults of the HTTP API.

    Attributes:
        max_customers: Customers per request in feature mode (and attribute rows).
        max_transactions: Transaction lines per request.
        max_body_bytes: Largest request body; a larger one gets 413 before it is
            read or parsed.
        reference_date: Date recency and tenure are measured at when a request
            does not give one; ``None`` = the moment the request arrives (server
            clock, UTC).
        workers: Threads that parse and score requests, each with its own
            in-process engine connection running one engine thread (so the
            same request gives the same bytes); the event loop never scores.
        held_rows: A request's tables of at most this many rows (its lines,
            its attributes and the tables computed from them) are held as
            values of the scoring connection, so that its prepared queries
            are not bound again (docs/inference.md); 0 holds none.
    """

    model_config = ConfigDict(extra="forbid")

    max_customers: int = Field(default=10_000, ge=1)
    max_transactions: int = Field(default=200_000, ge=1)
    max_body_bytes: int = Field(default=48 * MEBIBYTE, ge=1024)
    reference_date: dt.datetime | None = None
    workers: int = Field(default=2, ge=1)
    held_rows: int = Field(default=HELD_ROWS, ge=0)


class ScoringSettings(BaseModel):
    """Which customers have enough history to be scored, and how many at a time.

    Attributes:
        min_invoices: Customers with fewer distinct clean invoices get the status
            ``insufficient_history`` and no segment. 1 scores everyone with a clean
            purchase, as the training did.
        batch_customers: Customers the model assigns at a time. The model's
            working arrays (distances and probabilities per segment) and the
            per-customer Python values of one batch are what scoring adds to the
            memory of the input and the result; the segments do not depend on it.
        min_history_share: The new lines must reach back at least this share
            of the training's history (its first purchase to its reference
            date), else scoring stops with a named error: the features count
            only the lines given, so an export of recent lines alone makes
            every customer look newer and less active than the model's
            customers. 0 turns the rule off (the API does: a request holds the
            lines of a few customers, not an export).
        scale_check_min_customers: Batches of at least this many customers
            to score must have each numeric feature's median within the
            training's 1st to 99th percentiles, else scoring stops with a
            named error: values in another unit or currency (cents for units)
            put most customers in one segment. ``None`` turns the rule off.
    """

    model_config = ConfigDict(extra="forbid")

    min_invoices: int = Field(default=1, ge=1)
    batch_customers: int = Field(default=100_000, ge=1)
    min_history_share: float = Field(default=0.9, ge=0, le=1)
    scale_check_min_customers: int | None = Field(default=100, ge=1)
