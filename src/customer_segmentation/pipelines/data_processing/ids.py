"""Ids as normalised text, and the purchase key when a file has no invoice id.

Ids are compared as text: Unicode NFC, trimmed, without zero-width or control
characters, and whole numbers without a decimal part (``17850.0`` -> ``17850``),
so the same customer written two ways is one customer. A fractional number is not
an id: it is a named error, never silently truncated onto another customer.
"""

from __future__ import annotations

import unicodedata

import ibis
import ibis.expr.types as ir

from .errors import Check, rule_check
from .reading import without_missing

# Floats are exact integers only up to 2**53; a larger "id" has lost digits.
LARGEST_EXACT_FLOAT_ID = 2**53
NOT_PLAIN_ASCII = r"[^\x21-\x7e]"
FRACTIONAL_NUMBER = r"^-?\d+\.\d*[1-9]\d*$"
WHOLE_NUMBER_WITH_ZEROS = r"^-?\d+\.0+$"
INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}


def clean_text(value: str) -> str:
    """Unicode NFC, without control or zero-width characters, trimmed.

    Args:
        value: One id as text.

    Returns:
        The normalised text.
    """
    normal = unicodedata.normalize("NFC", value)
    visible = "".join(
        char
        for char in normal
        if unicodedata.category(char) not in INVISIBLE_CATEGORIES
    )
    return visible.strip()


@ibis.udf.scalar.python
def _clean_text_udf(value: str | None) -> str | None:
    # Spark calls it on every row, nulls included, whatever the condition around it.
    return None if value is None else clean_text(value)


def normalise_ids(
    table: ir.Table, column: str, dataset: str, missing_values: list[str]
) -> tuple[ir.StringValue, ir.BooleanValue, list[Check]]:
    """Normalises an id column to text.

    Args:
        table: The raw table.
        column: Name of the id column in ``table``.
        dataset: Name of the dataset, for errors.
        missing_values: Texts meaning "no id".

    Returns:
        The ids as text (null when missing), whether normalisation changed the
        raw text of each id (numbers stored as numbers count as unchanged), and
        the checks the caller runs (:func:`.errors.run_checks`): an id is a
        fractional number, or a float too large to hold a whole number exactly.
    """
    raw = table[column]
    if raw.type().is_floating():
        number = without_missing(raw, missing_values)
        checks = [
            rule_check(
                table,
                (number.abs() >= LARGEST_EXACT_FLOAT_ID).fill_null(False),
                dataset,
                column,
                "numeric ids below 2**53 (a float this large has lost digits; "
                "export ids as text)",
            ),
            rule_check(
                table,
                (number % 1 != 0).fill_null(False),
                dataset,
                column,
                "ids are whole numbers (a fractional id would be merged with another)",
            ),
        ]
        return _float_ids(number), ibis.literal(False), checks
    if raw.type().is_integer():
        return raw.cast("string"), ibis.literal(False), []
    text = raw.cast("string")
    # Only ids with a space, a control or a non-ASCII character need the slow path.
    readable = ibis.ifelse(text.re_search(NOT_PLAIN_ASCII), _clean_text_udf(text), text)
    present = without_missing(readable, missing_values, trimmed=True)
    with_point = present.contains(".").fill_null(False)
    fractional = rule_check(
        table,
        ibis.ifelse(with_point, present.re_search(FRACTIONAL_NUMBER), False),
        dataset,
        column,
        "ids are whole numbers (a fractional id would be merged with another)",
    )
    # No backreference in the replacement: Java regex (Spark) reads "\1" literally.
    whole = ibis.ifelse(with_point, present.re_search(WHOLE_NUMBER_WITH_ZEROS), False)
    ids = ibis.ifelse(whole, present.re_replace(r"\.0+$", ""), present)
    changed = (ids != text).fill_null(False)
    return ids, changed, [fractional]


def _float_ids(number: ir.FloatingValue) -> ir.StringValue:
    # Checked ids are whole and below 2**53; the others never reach a row (the
    # checks raise first) but must not fail the cast in the same query.
    whole = (number % 1 == 0) & (number.abs() < LARGEST_EXACT_FLOAT_ID)
    return ibis.ifelse(whole, number, ibis.null("float64")).cast("int64").cast("string")


def purchase_key(lines: ir.Table) -> ir.StringValue:
    """What one purchase is: an invoice, or one customer's calendar day without invoices.

    Cleaning drops lines with a missing invoice id when the file has the column, so
    clean lines either all have one or (the file has none) none.

    Args:
        lines: Clean transaction lines.

    Returns:
        The invoice id, or the day of ``invoice_date`` when there is no invoice id.
    """
    return ibis.coalesce(lines.invoice_id, lines.invoice_date.date().cast("string"))
