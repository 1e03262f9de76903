"""Text values read alike on every engine: trimmed text, numbers and dates.

The engines' own casts and Ibis's ``strip()`` do not agree between DuckDB and
Spark (an offset ignored or converted, "2025" read as a date, "1d" or "1_000"
read as numbers, ``\\v`` read as the letter v), so what a text value means is
decided here, with regular expressions both engines read alike, and only then
cast. A text that does not fit becomes null, and its reader counts it as
``unparseable_<column>``.
"""

from __future__ import annotations

import re
import string

import ibis
import ibis.expr.types as ir

from .settings import DATE_DIRECTIVES

REGEX_SPECIALS = set(r".^$*+?()[]{}|\/")
# Text numbers: digits with an optional point and exponent, or inf / infinity /
# nan, signed or not; nothing else (no thousands separator, no suffix).
NUMBER_TEXT = r"(?i)^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|inf|infinity|nan)$"
# ISO-8601 text dates: the date, an optional time (seconds and fraction
# optional), then an optional zone: Z, UTC or an offset (+01:00, +0100, +01).
_LOCAL = r"\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d{1,9})?)?)?"
ISO_LOCAL = rf"^{_LOCAL}$"
ISO_TIMESTAMP = rf"^({_LOCAL}) ?(Z|UTC|[+-]\d{{2}}(?::?\d{{2}})?)?$"
# The whitespace a text is trimmed of: Python's ``str.strip`` ASCII set, as a
# regular expression's escapes (RE2 and Java read them alike) and as the engine's
# characters. Never as literal characters: Ibis writes a vertical tab or form
# feed as ``\v`` or ``\f`` in Spark SQL, which Spark reads as the letters v and f
# (so Ibis's ``strip()`` trims " Kiev" to "Kie" on Spark).
WHITESPACE_CODES = tuple(ord(space) for space in string.whitespace)
PADDING = r"^[ \t\n\r\x0B\f]+|[ \t\n\r\x0B\f]+$"


@ibis.udf.scalar.builtin(name="chr")
def _character(code: int) -> str:  # type: ignore[empty-body]
    """The engine's character of a code point (``chr`` on DuckDB and Spark)."""


def is_padded(text: ir.StringValue) -> ir.BooleanValue:
    """Whether a text starts or ends with whitespace.

    Each whitespace character is compared at each end: on DuckDB several times
    cheaper per line than a regular expression (docs/performance.md), and the
    same characters on every engine (a regular expression's ``\\s`` leaves the
    vertical tab out on DuckDB, not on Spark).

    Args:
        text: A text column.

    Returns:
        True where the text is padded, false where not, null where it is null.
    """
    spaces = [_character(code) for code in WHITESPACE_CODES]
    return ibis.or_(
        *[text.startswith(space) for space in spaces],
        *[text.endswith(space) for space in spaces],
    )


def trim(text: ir.StringValue) -> ir.StringValue:
    """The text without leading and trailing whitespace, the same on every engine.

    Only padded texts are rewritten: trimming every value is slow on large tables.

    Args:
        text: A text column.

    Returns:
        The text, trimmed; null where it is null.
    """
    return ibis.ifelse(is_padded(text), text.re_replace(PADDING, ""), text)


def parse_number(column: ir.Column) -> ir.Column:
    """Casts a column (without missing tokens) to float64; null where not a number.

    Args:
        column: Output of :func:`without_missing`.

    Returns:
        A float64 column.
    """
    if column.type().is_numeric() or column.type().is_boolean():
        return column.cast("float64")
    text = column.cast("string")
    # Only what both engines read alike: DuckDB alone reads "1_000", Spark alone
    # "1d" and "1f" (Java's suffixes).
    return ibis.ifelse(
        text.re_search(NUMBER_TEXT), text.try_cast("float64"), ibis.null("float64")
    )


def parse_timestamp(column: ir.Column, date_format: str | None) -> ir.Column:
    """Casts a column (without missing tokens) to timestamps; null where not a date.

    Args:
        column: Output of :func:`without_missing`.
        date_format: ``strptime`` format (directives of ``DATE_DIRECTIVES``) for
            text dates; ``None`` reads ISO-8601 text (``ISO_TIMESTAMP``; a date
            with a UTC offset is converted to UTC).

    Returns:
        A timestamp column.
    """
    if column.type().is_timestamp():
        return column.cast("timestamp")
    if column.type().is_date():
        return column.cast("timestamp")
    text = column.cast("string")
    if date_format is None:
        return _parse_iso(text)
    return _parse_with_format(text, date_format)


def _parse_iso(text: ir.StringValue) -> ir.Value:
    # The engines' own casts differ: DuckDB ignores a UTC offset, Spark converts
    # it to the session's time zone and reads "2025" as a date. So the shape is
    # checked here, and an offset subtracted: a date with one becomes UTC. Most
    # dates have no zone: one match, then the cast (the engines compute a branch
    # only for the rows that take it; the zone's two extractions cost 3 times more).
    local = text.re_extract(ISO_TIMESTAMP, 1).try_cast("timestamp")
    zone = text.re_extract(ISO_TIMESTAMP, 2)
    hours = zone.substr(1, 2).try_cast("int64").fill_null(0)
    with_minutes = zone.length() > len("+01")
    minutes = ibis.ifelse(with_minutes, zone.right(2).try_cast("int64"), 0)
    sign = ibis.ifelse(zone.startswith("-"), -1, 1)
    offset = sign * (hours * 60 + minutes)
    zoned = ibis.ifelse(offset == 0, local, local - offset.as_interval("m"))
    return ibis.ifelse(text.re_search(ISO_LOCAL), text.try_cast("timestamp"), zoned)


def _parse_with_format(text: ir.StringValue, date_format: str) -> ir.Value:
    # strptime raises on the first bad value in some engines, so the format becomes
    # a regular expression whose parts are reassembled as ISO text and try-cast.
    pattern, order = "", []
    for token in re.findall(r"%.|[^%]", date_format):
        if token in DATE_DIRECTIVES:
            pattern += DATE_DIRECTIVES[token]
            order.append(token)
        else:
            pattern += "\\" + token if token in REGEX_SPECIALS else token
    pattern = f"^{pattern}$"

    def part(directive: str, default: str) -> ir.StringValue:
        if directive not in order:
            return ibis.literal(default)
        value = text.re_extract(pattern, order.index(directive) + 1)
        return value.lpad(2, "0") if directive != "%f" else value

    iso = (
        part("%Y", "")
        + "-"
        + part("%m", "")
        + "-"
        + part("%d", "")
        + " "
        + part("%H", "00")
        + ":"
        + part("%M", "00")
        + ":"
        + part("%S", "00")
    )
    if "%f" in order:
        iso = iso + "." + part("%f", "0")
    return ibis.ifelse(
        text.re_search(pattern), iso.try_cast("timestamp"), ibis.null("timestamp")
    )
