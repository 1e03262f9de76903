"""A headerless, whitespace-aligned file of line totals runs end to end from conf/headerless_totals.

The file (customer id, date YYYYMMDD, units, line total; no invoice id, product id
or unit price) is generated into the temporary project copy with a few faults real
exports have: guest lines, a missing amount, an unreadable amount, a refund and
a day out of the calendar. Customer count and revenue are checked against an
independent pandas computation on the same file.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.project import run_project

N_CUSTOMERS = 240


def _write_line_totals(path: Path, seed: int = 3) -> None:
    rng = np.random.default_rng(seed)
    rows = []
    for customer in range(N_CUSTOMERS):
        group = customer % 3
        n_lines = int(rng.integers(1, 4 + 8 * (group == 0)))
        days = pd.Timestamp("2025-01-01") + pd.to_timedelta(
            rng.integers(0, 200 if group != 2 else 60, n_lines), unit="D"
        )
        for day in days:
            units = int(rng.integers(1, 6))
            amount = round(
                units * float(rng.choice([2.5, 9.99, 40.0 * (group + 1)])), 2
            )
            rows.append((str(10_000 + customer), day.strftime("%Y%m%d"), units, amount))
    rows += [
        ("NA", "20250301", 1, 5.0),  # guest line
        ("10001", "20250302", 2, "-"),  # missing amount
        ("10002", "20250303", 1, "12,50"),  # decimal comma: unreadable
        ("10003", "20250304", 1, -9.99),  # refund
        ("10004", "20250231", 1, 3.0),  # 31 February
    ]
    # Aligned columns, separated by runs of spaces, no header.
    text = "".join(
        f"{customer:>8} {day:>10} {units:>4} {amount!s:>10}\n"
        for customer, day, units, amount in rows
    )
    path.write_text(text)


def _expected(path: Path) -> tuple[int, float, int]:
    lines = pd.read_csv(
        path,
        sep=r"\s+",
        header=None,
        names=["customer", "day", "units", "amount"],
        dtype=str,
        keep_default_na=False,
    )
    amount = pd.to_numeric(lines["amount"], errors="coerce")
    day = pd.to_datetime(lines["day"], format="%Y%m%d", errors="coerce")
    clean = lines[(lines["customer"] != "NA") & (amount > 0) & day.notna()]
    revenue = float(amount[clean.index].sum())
    purchases = len(clean.assign(day=day).drop_duplicates(["customer", "day"]))
    return clean["customer"].nunique(), revenue, purchases


def test_headerless_line_totals_run_end_to_end(project_copy):
    raw = project_copy / "data" / "01_raw" / "line_totals.txt"
    _write_line_totals(raw)
    n_customers, revenue, purchases = _expected(raw)

    run_project(project_copy, env="headerless_totals")

    report = json.loads(
        Path("data/headerless_totals/08_reporting/data_quality.json").read_text()
    )
    assert report["rows_dropped"] == {
        "missing_customer_id": 1,
        "missing_line_total": 1,
        "non_positive_line_total": 1,
        "unparseable_invoice_date": 1,
        "unparseable_line_total": 1,
    }
    assert report["examples"]["unparseable_line_total"] == ["12,50"]
    assert report["rows_in"] == report["rows_out"] + 5
    assert report["customers_out"] == n_customers
    assert report["invoices_out"] == purchases
    assert report["purchase"].startswith("customer_id + calendar day")
    features = pd.read_parquet(
        "data/headerless_totals/04_feature/customer_features.parquet"
    )
    assert len(features) == n_customers
    assert features["monetary"].sum() == pytest.approx(revenue, abs=1e-6)
    assert "distinct_products" not in features.columns
    with duckdb.connect(
        "data/headerless_totals/02_intermediate/segmentation.duckdb", read_only=True
    ) as db:
        (clean_revenue,) = db.execute(
            "select sum(line_total) from clean_transactions"
        ).fetchone()
    assert clean_revenue == pytest.approx(revenue, abs=1e-6)
    segments = pd.read_parquet(
        "data/headerless_totals/07_model_output/customer_segments.parquet"
    )
    assert sorted(segments["customer_id"]) == sorted(features["customer_id"])
    assert Path("data/headerless_totals/08_reporting/segmentation_report.html").exists()

    # Batch scoring of the same export: every customer gets its training segment.
    new = project_copy / "data" / "01_raw" / "new" / raw.name
    new.parent.mkdir(exist_ok=True)
    new.symlink_to(raw)
    run_project(project_copy, ["inference"], env="headerless_totals")
    scored = pd.read_parquet(
        "data/headerless_totals/07_model_output/scored_customers.parquet"
    ).set_index("customer_id")
    assert (scored["status"] == "scored").all()
    training = segments.set_index("customer_id")["segment_id"]
    assert scored["segment_id"].loc[training.index].astype(int).equals(training)
