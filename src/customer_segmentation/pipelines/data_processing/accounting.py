"""The data-quality report: every input row accounted for, by rule, with examples."""

from __future__ import annotations

import logging
from typing import Any

import ibis
import ibis.expr.types as ir

from .consistency import (
    check_attribute_match,
    check_customer_on_every_line,
    check_invoice_spans,
    check_undated_share,
    guest_lines,
    invoice_spans,
    undated,
)
from .date_gaps import check_attribute_date_gaps, check_date_gap, distinct_values
from .errors import N_EXAMPLES, InputValidationError
from .ids import purchase_key
from .reading import UNPARSEABLE
from .settings import CUSTOMER_KEY, INPUT_KINDS, InputKind, ReadingChecks

logger = logging.getLogger(__name__)

N_REPORTED_IDS = 20
DEFAULT_READING_CHECKS = ReadingChecks()
PURCHASE_BY_INVOICE = "invoice_id"
PURCHASE_BY_DAY = (
    "customer_id + calendar day of invoice_date (the input has no invoice_id)"
)


def check_input_kind(input_kind: str) -> None:
    """Refuses an unknown ``input_kind`` parameter.

    Args:
        input_kind: The ``input_kind`` parameter.

    Raises:
        ValueError: If it is not ``transactions``, ``attributes`` or ``both``.
    """
    if input_kind not in INPUT_KINDS:
        raise ValueError(
            f"input_kind={input_kind!r} should be one of {list(INPUT_KINDS)}"
        )


def needs(input_kind: InputKind, table: str) -> bool:
    """Whether an input kind reads a table (``transactions`` or ``attributes``)."""
    check_input_kind(input_kind)
    return input_kind in ("both", table)


def _examples_by_rule(flagged: ir.Table) -> dict[str, list[str]]:
    values = (
        flagged.filter(flagged.drop_value.notnull())
        .select("drop_reason", "drop_value")
        .distinct()
    )
    ranked = values.mutate(
        rank=ibis.row_number().over(group_by="drop_reason", order_by="drop_value")
    )
    rows = ranked.filter(ranked["rank"] < N_EXAMPLES).to_pyarrow().to_pylist()
    found: dict[str, list[str]] = {}
    for row in sorted(rows, key=lambda row: (row["drop_reason"], row["rank"])):
        found.setdefault(row["drop_reason"], []).append(row["drop_value"])
    return found


def _rows_by_rule(
    flagged: ir.Table, counted: dict[str, ir.BooleanValue]
) -> list[dict[str, Any]]:
    # One scan: rows, normalised ids and the rows of each ``counted`` condition
    # per drop reason (null: kept).
    return (
        flagged.group_by("drop_reason")
        .agg(
            rows=flagged.count(),
            ids_normalised=flagged.id_normalised.cast("int64").sum().fill_null(0),
            **{
                name: condition.cast("int64").sum().fill_null(0)
                for name, condition in counted.items()
            },
        )
        .to_pyarrow()
        .to_pylist()
    )


def _account_for_rows(
    flagged: ir.Table,
    clean: ir.Table,
    table_name: str,
    rows_out: int | None = None,
    counted: dict[str, ir.BooleanValue] | None = None,
) -> tuple[dict[str, Any], dict[str, int]]:
    # The table's section of the report, and the rows of each ``counted``
    # condition, from the same scan.
    counted = counted or {}
    counts = _rows_by_rule(flagged, counted)
    dropped = {
        row["drop_reason"]: int(row["rows"])
        for row in sorted(counts, key=lambda row: str(row["drop_reason"]))
        if row["drop_reason"] is not None
    }
    rows_in = sum(int(row["rows"]) for row in counts)
    if rows_out is None:
        rows_out = int(clean.count().execute())
    if rows_in != sum(dropped.values()) + rows_out:
        raise ValueError(
            f"{table_name}: data quality accounting broken: rows_in={rows_in} != "
            f"dropped={sum(dropped.values())} + rows_out={rows_out}"
        )
    examples = _examples_by_rule(flagged) if dropped else {}
    section = {
        "rows_in": rows_in,
        "rows_dropped": dropped,
        "rows_out": rows_out,
        "examples": {rule: examples[rule] for rule in dropped if rule in examples},
        "ids_normalised": sum(int(row["ids_normalised"]) for row in counts),
    }
    return section, {name: sum(int(row[name]) for row in counts) for name in counted}


def _dropped_customer_ids(flagged_customers: ir.Table, rules: list[str]) -> dict:
    dropped = flagged_customers.filter(
        flagged_customers.drop_reason.notnull()
        & flagged_customers.customer_id.notnull()
    )
    return {
        reason: sorted(
            dropped.filter(dropped.drop_reason == reason)
            .customer_id.to_pyarrow()
            .to_pylist(),
            key=lambda value: (len(value), value),
        )[:N_REPORTED_IDS]
        for reason in rules
        if reason != "missing_customer_id"
    }


def _clean_line_figures(
    clean_transactions: ir.Table,
    clean_customers: ir.Table | None,
    checks: ReadingChecks,
    guests: ir.Table | None = None,
) -> dict[str, Any]:
    """The figures of the clean lines, in one query over one scan of them.

    The clean lines' customer ids and the kept attribute rows are grouped together
    by customer id: one hash aggregate of the lines instead of a distinct count of
    them plus an anti-join against them. Exact as the distinct count and the
    anti-join were: a null id is no customer of the lines and matches no line, and
    every attribute row counts (``rows`` sums them per id). The same query counts
    the lines, the lines with an invoice id and the distinct invoice ids, so the
    lines are read once for all of them.

    Args:
        clean_transactions: Clean transaction lines.
        clean_customers: Kept attribute rows, or ``None`` when they are not read.
        checks: ``max_invoice_span_days`` (``None``: not counted),
            ``max_date_gap_days`` (``None``: the days are not listed) and
            ``min_rows``.
        guests: Lines dropped as ``missing_customer_id``, grouped with the
            clean lines by invoice id (``None``: not counted).

    Returns:
        ``lines`` (rows of the clean lines), ``customers`` (distinct customer ids
        of the lines), ``without_purchase`` (kept attribute rows whose customer has
        no clean line; 0 without attribute rows), ``without_attributes``
        (customers of the lines without a kept attribute row), ``with_invoice``
        (lines with an invoice id), ``invoices`` (distinct invoice ids) and
        ``long_invoices`` (invoice ids whose lines lie more than
        ``max_invoice_span_days`` apart), ``guest_lines`` and ``guest_invoices``
        (see :func:`.consistency.invoice_spans`) and, unless ``max_date_gap_days`` is
        ``None``, ``days`` (the days with a clean line, from the same scan as
        the line counts; null below ``min_rows`` lines).
    """
    key = clean_transactions[CUSTOMER_KEY]
    ids = clean_transactions.select(
        key, lines=ibis.literal(1, "int64"), rows=ibis.literal(0, "int64")
    )
    if clean_customers is not None:
        rows = clean_customers.select(
            clean_customers[CUSTOMER_KEY].cast(key.type()).name(CUSTOMER_KEY),
            lines=ibis.literal(0, "int64"),
            rows=ibis.literal(1, "int64"),
        )
        ids = ids.union(rows, distinct=False)
    per_id = ids.group_by(CUSTOMER_KEY).agg(lines=ids.lines.max(), rows=ids.rows.sum())
    purchasing = per_id[CUSTOMER_KEY].notnull() & (per_id.lines == 1)
    customers = per_id.aggregate(
        customers=purchasing.cast("int64").sum().fill_null(0),
        without_purchase=ibis.ifelse(purchasing, 0, per_id.rows).sum().fill_null(0),
        without_attributes=(purchasing & (per_id.rows == 0))
        .cast("int64")
        .sum()
        .fill_null(0),
    )
    counts = {
        "lines": clean_transactions.count(),
        "with_invoice": clean_transactions.invoice_id.count(),
    }
    if checks.max_date_gap_days is not None:
        counts["days"] = distinct_values(
            clean_transactions.invoice_date.date(), checks.min_rows
        )
    lines = clean_transactions.aggregate(**counts)
    invoices = invoice_spans(clean_transactions, checks.max_invoice_span_days, guests)
    figures = customers.cross_join(lines).cross_join(invoices).to_pyarrow()
    row = figures.to_pylist()[0]
    return {
        name: value if name == "days" else int(value) for name, value in row.items()
    }


def _purchase_days(clean_transactions: ir.Table) -> int:
    # Without invoice ids one purchase is a customer's calendar day.
    days = clean_transactions.select(
        CUSTOMER_KEY, purchase=purchase_key(clean_transactions)
    ).distinct()
    return int(days.count().execute())


def _check_unparseable_shares(
    table_name: str, section: dict[str, Any], checks: ReadingChecks
) -> None:
    rows_in = section["rows_in"]
    if rows_in < checks.min_rows:
        return
    for rule, rows in section["rows_dropped"].items():
        share = rows / rows_in
        if rule.startswith(UNPARSEABLE) and share > checks.max_unparseable_share:
            raise InputValidationError(
                f"{table_name}: column '{rule.removeprefix(UNPARSEABLE)}' has "
                f"{rows} of {rows_in} values ({share:.1%}) that do not parse "
                f"(rule: {rule} at most {checks.max_unparseable_share:.1%} of the "
                "rows, reading_checks.max_unparseable_share); examples: "
                f"{section['examples'].get(rule, [])}; so many mean a wrong format "
                "(date_format with day and month swapped, a decimal comma, a unit "
                "in the values), which may misread the values that do parse too: "
                "fix the schema's format, or raise the share"
            )


def summarise_data_quality(
    flagged_transactions: ir.Table,
    clean_transactions: ir.Table,
    flagged_customers: ir.Table,
    clean_customers: ir.Table,
    input_kind: InputKind,
    *,
    reading_checks: ReadingChecks = DEFAULT_READING_CHECKS,
) -> dict[str, Any]:
    """Accounts for every input row of every table: in, dropped per rule, out.

    The invariant ``rows_in == sum(rows_dropped) + rows_out`` is checked for each
    table. The top-level ``rows_in``, ``rows_dropped``, ``rows_out`` and
    ``examples`` repeat the section of the main table (transactions, or customers
    for attribute-only input).

    Args:
        flagged_transactions: Output of ``flag_transactions``.
        clean_transactions: Output of ``select_clean_transactions``.
        flagged_customers: Output of ``flag_customers``.
        clean_customers: Output of ``select_clean_customers``.
        input_kind: ``transactions``, ``attributes`` or ``both``.
        reading_checks: When unparseable values mean a wrong format.

    Returns:
        A JSON-ready report with ``input_kind``, ``invariant``, one section per
        table under ``tables`` (``rows_in``, ``rows_dropped``, ``rows_out``,
        ``examples``: up to 3 offending values per rule, ``ids_normalised``: ids
        whose text normalisation changed and, for customers,
        ``dropped_customer_ids`` up to 20 per rule and, for ``both``,
        ``customers_without_clean_purchase``), ``customers_out``,
        ``invoices_out`` (purchases) and ``purchase`` (what one purchase is).

    Raises:
        ValueError: If rows in differs from rows dropped plus rows out.
        InputValidationError: If cleaning leaves no row of a table the input
            kind needs, a column's unparseable values exceed
            ``reading_checks.max_unparseable_share`` of a table's rows, or the
            clean lines break a check of ``consistency`` or ``date_gaps``.
    """
    guests = guest_lines(flagged_transactions)
    figures = (
        None
        if input_kind == "attributes"
        else _clean_line_figures(
            clean_transactions,
            clean_customers if input_kind == "both" else None,
            reading_checks,
            guests if reading_checks.customer_on_every_line else None,
        )
    )
    transactions, counted = _account_for_rows(
        flagged_transactions,
        clean_transactions,
        "transactions",
        None if figures is None else figures["lines"],
        {"undated": undated(flagged_transactions)},
    )
    customers, _ = _account_for_rows(flagged_customers, clean_customers, "customers")
    customers["dropped_customer_ids"] = _dropped_customer_ids(
        flagged_customers, list(customers["rows_dropped"])
    )
    if input_kind == "both":
        # Kept attribute rows without a clean purchase get no feature row, and
        # customers of the lines without an attribute row get no attributes.
        customers["customers_without_clean_purchase"] = figures["without_purchase"]
        customers["purchasing_customers_without_attributes"] = figures[
            "without_attributes"
        ]
    sections = {"transactions": transactions, "customers": customers}
    needed = {
        "transactions": needs(input_kind, "transactions"),
        "customers": needs(input_kind, "attributes"),
    }
    for table_name, section in sections.items():
        _check_unparseable_shares(table_name, section, reading_checks)
        if table_name == "transactions" and needed[table_name]:
            check_undated_share(
                flagged_transactions,
                counted["undated"],
                section["rows_in"],
                reading_checks,
            )
        if needed[table_name] and section["rows_out"] == 0:
            raise InputValidationError(
                f"{table_name}: cleaning dropped every one of {section['rows_in']} "
                f"row(s) (rule: rows left after cleaning); dropped by rule: "
                f"{section['rows_dropped']}; examples: {section['examples']}; "
                "review the data quality report and cleaning_rules"
            )
    if figures is not None:
        check_invoice_spans(
            clean_transactions, figures["long_invoices"], reading_checks
        )
        check_date_gap(clean_transactions, figures, reading_checks)
        check_customer_on_every_line(clean_transactions, guests, figures)
    if input_kind == "both":
        check_attribute_match(
            clean_transactions, clean_customers, figures, reading_checks
        )
    if needed["customers"]:
        check_attribute_date_gaps(clean_customers, reading_checks)
    main = customers if input_kind == "attributes" else transactions
    if figures is None:
        customers_out, invoices_out, purchase = customers["rows_out"], 0, None
    elif figures["with_invoice"]:
        customers_out, purchase = figures["customers"], PURCHASE_BY_INVOICE
        invoices_out = figures["invoices"]
    else:
        # Without invoice ids, a second scan for the purchase days.
        customers_out, purchase = figures["customers"], PURCHASE_BY_DAY
        invoices_out = _purchase_days(clean_transactions)
    report = {
        "dataset": "customers" if input_kind == "attributes" else "transactions",
        "input_kind": input_kind,
        "invariant": "rows_in == sum(rows_dropped) + rows_out, checked per table",
        "rows_in": main["rows_in"],
        "rows_dropped": main["rows_dropped"],
        "rows_out": main["rows_out"],
        "examples": main["examples"],
        "customers_out": customers_out,
        "invoices_out": invoices_out,
        "purchase": purchase,
        "tables": sections,
    }
    logger.info(
        "Cleaning kept %d of %d %s rows; dropped %s",
        main["rows_out"],
        main["rows_in"],
        report["dataset"],
        main["rows_dropped"],
    )
    if purchase == PURCHASE_BY_DAY:
        logger.info("No invoice ids: one purchase is %s", PURCHASE_BY_DAY)
    return report
