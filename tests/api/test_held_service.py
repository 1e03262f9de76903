"""The API gives the same bytes whether a request's tables are held as values or are tables of the engine."""

import dataclasses
import json

import pandas as pd
import pytest

from customer_segmentation.api import load_scoring_service
from customer_segmentation.api.app import request_model, score_transactions
from customer_segmentation.api.parsing import BodyParser
from customer_segmentation.api.service import ScoringService
from tests.pipelines.inference.project import TrainedProject, working_directory

REFERENCE = "2026-01-01T00:00:00"


def _lines(project: TrainedProject, start: int, count: int) -> list[dict]:
    raw = pd.read_parquet(project.path / "data/01_raw/transactions.parquet")
    rows = raw.iloc[start : start + count].dropna(subset=["customer_id"])
    rows = rows.assign(
        customer_id=rows["customer_id"].astype(int).astype(str),
        invoice_date=rows["invoice_date"].dt.strftime("%Y-%m-%dT%H:%M:%S"),
    )
    return rows.to_dict("records")


def _attributes(project: TrainedProject, lines: list[dict]) -> list[dict]:
    customers = pd.read_csv(project.path / "data/01_raw/customers.csv", dtype=str)
    wanted = customers["customer_id"].isin({line["customer_id"] for line in lines})
    return [
        {**row, "age": float(row["age"])}
        for row in customers[wanted].to_dict("records")
    ] + [{"customer_id": "unknown", "age": 30.0}]


def _bodies(project: TrainedProject) -> dict[str, dict]:
    ten = _lines(project, 0, 10)
    some = _lines(project, 100, 300)
    cancelled = [
        {**line, "quantity": -line["quantity"]} if index % 2 else line
        for index, line in enumerate(some)
    ]
    return {
        "1 line": {"transactions": ten[:1]},
        "10 lines": {"transactions": ten},
        "10 lines with attributes": {
            "transactions": ten,
            "attributes": _attributes(project, ten),
        },
        "300 lines": {"transactions": some},
        "300 lines with attributes": {
            "transactions": some,
            "attributes": _attributes(project, some),
        },
        "2,500 lines (beyond held_rows)": {"transactions": _lines(project, 500, 2500)},
        "80 lines": {"transactions": _lines(project, 20, 80)},
        "150 lines, their customers held": {"transactions": _lines(project, 3000, 150)},
        "without country and product": {
            "transactions": [
                {k: v for k, v in line.items() if k not in ("country", "product_id")}
                for line in some
            ]
        },
        "without invoice ids": {
            "transactions": [
                {k: v for k, v in line.items() if k != "invoice_id"} for line in some
            ]
        },
        "half cancelled": {"transactions": cancelled},
        "fully filtered": {"transactions": [cancelled[1], cancelled[3]]},
        "empty": {"transactions": []},
        "a line after the reference date": {
            "transactions": [*ten, {**ten[0], "invoice_date": "2026-03-01T00:00:00"}]
        },
    }


def _outcome(service: ScoringService, body: dict) -> tuple[str, bytes | str]:
    parser = BodyParser(request_model(service))
    request = json.dumps(body | {"reference_date": REFERENCE}).encode()
    try:
        content, _ = score_transactions(service, parser.parse(request))
    except Exception as error:  # noqa: BLE001 - the outcome compared is the error
        return type(error).__name__, str(error)
    return "answer", content


@pytest.fixture(scope="module")
def services(project: TrainedProject) -> tuple[ScoringService, ScoringService]:
    with working_directory(project.path):
        held = load_scoring_service(project.path)
    engine = dataclasses.replace(
        held, settings=held.settings.model_copy(update={"held_rows": 0})
    )
    return held, engine


def test_held_tables_give_the_same_bytes_as_tables_of_the_engine(
    project: TrainedProject, services: tuple[ScoringService, ScoringService]
):
    held, engine = services
    assert held.settings.held_rows == 100  # noqa: PLR2004 - the default
    bodies = _bodies(project)

    # Twice in turn: a thread's connection reuses what the request before left.
    outcomes = [
        {name: (_outcome(held, body), _outcome(engine, body))}
        for _ in range(2)
        for name, body in bodies.items()
    ]

    for outcome in outcomes:
        ((name, (with_held, without)),) = outcome.items()
        assert with_held == without, name
    kinds = {name: with_held[0] for o in outcomes for name, (with_held, _) in o.items()}
    assert kinds["10 lines"] == kinds["10 lines with attributes"] == "answer"
    assert kinds["300 lines with attributes"] == "answer"
    assert kinds["fully filtered"] != "answer"
    assert kinds["a line after the reference date"] != "answer"
