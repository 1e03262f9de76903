"""Ids as normalised text, and the purchase key when a file has no invoice id.

Ids are compared as text: Unicode NFC, trimmed, without zero-width or control
characters, and whole numbers without a decimal part (``17850.0`` -> ``17850``),
so the same customer written two ways is one customer. A fractional number is not
an id: it is a named error, never silently truncated onto another customer.

Text ids are read in three projections, each step computed once per line and read
by name by the next: the readable text (the slow Unicode path only for ids that are
not plain ASCII), the text without missing-value tokens, then the id without a
zero decimal part (regular expressions only for ids with a point). Written as
nested expressions instead, each step would be repeated inside every later one.
The expressions are plain Ibis (no backreferences), so every engine runs them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from .errors import Check, rule_check
from .reading import is_missing_token, without_missing

# Floats are exact integers only up to 2**53; a larger "id" has lost digits.
LARGEST_EXACT_FLOAT_ID = 2**53
NOT_PLAIN_ASCII = r"[^\x21-\x7e]"
FRACTIONAL_NUMBER = r"^-?\d+\.\d*[1-9]\d*$"
WHOLE_NUMBER_WITH_ZEROS = r"^(-?\d+)\.0+$"
INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}
FRACTIONAL_RULE = "ids are whole numbers (a fractional id would be merged with another)"
# Prefix of the working columns the readers add; never an input column name.
STAGE_PREFIX = "__read_"


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


@dataclass(frozen=True)
class ReadIds:
    """Id columns read from a raw table.

    Attributes:
        table: The raw table with the working columns of the ids added; build every
            later expression on it.
        ids: Canonical name -> the normalised ids (text, null when missing).
        changed: Canonical name -> whether normalisation changed the raw text
            (numbers stored as numbers count as unchanged).
        checks: Canonical name -> named-error checks on ``table``
            (:func:`.errors.run_checks`): an id is a fractional number, or a float
            too large to hold a whole number exactly.
    """

    table: ir.Table
    ids: dict[str, ir.StringValue]
    changed: dict[str, ir.BooleanValue]
    checks: dict[str, list[Check]]


def read_ids(
    table: ir.Table, sources: dict[str, str], dataset: str, missing_values: list[str]
) -> ReadIds:
    """Normalises id columns to text.

    Args:
        table: The raw table.
        sources: Canonical name -> id column of ``table``.
        dataset: Name of the dataset, for errors.
        missing_values: Texts meaning "no id".

    Returns:
        The table with the working columns, the ids, whether each changed, and the
        checks the caller runs.
    """
    texts = {
        name: source
        for name, source in sources.items()
        if not (table[source].type().is_floating() or table[source].type().is_integer())
    }

    def stage(step: str, name: str) -> str:
        return f"{STAGE_PREFIX}{step}_{name}"

    readable = table.mutate(
        **{
            stage("readable", name): _readable(table[source].cast("string"))
            for name, source in texts.items()
        }
    )
    present = readable.mutate(
        **{
            stage("present", name): without_missing(
                readable[stage("readable", name)], missing_values, trimmed=True
            )
            for name in texts
        }
    )
    staged = present.mutate(
        **{
            stage("id", name): _without_zero_decimals(present[stage("present", name)])
            for name in texts
        }
    )
    ids: dict[str, ir.StringValue] = {}
    changed: dict[str, ir.BooleanValue] = {}
    checks: dict[str, list[Check]] = {}
    for name, source in sources.items():
        raw = staged[source]
        if name in texts:
            ids[name] = staged[stage("id", name)]
            changed[name] = (ids[name] != raw.cast("string")).fill_null(False)
            fractional = _fractional_id(raw.cast("string"), missing_values)
            checks[name] = [
                rule_check(staged, fractional, dataset, source, FRACTIONAL_RULE)
            ]
        elif raw.type().is_floating():
            number = without_missing(raw, missing_values)
            checks[name] = _float_checks(staged, number, dataset, source)
            ids[name], changed[name] = _float_ids(number), ibis.literal(False)
        else:
            ids[name], changed[name] = raw.cast("string"), ibis.literal(False)
            checks[name] = []
    return ReadIds(staged, ids, changed, checks)


def _readable(text: ir.StringValue) -> ir.StringValue:
    # Plain ASCII (no space either) is already clean; only the rest takes the
    # slow Unicode path.
    return ibis.ifelse(text.re_search(NOT_PLAIN_ASCII), _clean_text_udf(text), text)


def _without_zero_decimals(present: ir.StringValue) -> ir.StringValue:
    whole = present.contains(".").fill_null(False) & present.re_search(
        WHOLE_NUMBER_WITH_ZEROS
    ).fill_null(False)
    return ibis.ifelse(whole, present.re_extract(WHOLE_NUMBER_WITH_ZEROS, 1), present)


def _fractional_id(text: ir.StringValue, missing_values: list[str]) -> ir.BooleanValue:
    # Only a text with a point can be fractional, and reading it (NFC, invisible
    # characters, trimming) never adds one: the readable id is computed for those
    # texts only, so the named-error scan does not read every line's id. A token
    # without a point never matches the pattern, so only tokens with one are tested.
    readable = _readable(text)
    fractional = readable.re_search(FRACTIONAL_NUMBER)
    tokens_with_point = [token for token in missing_values if "." in token]
    if tokens_with_point:
        fractional = fractional & ~is_missing_token(readable, tokens_with_point)
    return ibis.ifelse(text.contains(".").fill_null(False), fractional, False)


def _float_checks(
    table: ir.Table, number: ir.FloatingValue, dataset: str, column: str
) -> list[Check]:
    return [
        rule_check(
            table,
            (number.abs() >= LARGEST_EXACT_FLOAT_ID).fill_null(False),
            dataset,
            column,
            "numeric ids below 2**53 (a float this large has lost digits; "
            "export ids as text)",
        ),
        rule_check(
            table, (number % 1 != 0).fill_null(False), dataset, column, FRACTIONAL_RULE
        ),
    ]


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
