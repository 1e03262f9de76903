"""Reading raw inputs: any table into the engine, missing-value tokens, typed casts by our rules.

Every cast is a "try" cast: a value that does not convert becomes null, and the
caller turns "present before, null after" into a counted ``unparseable_<column>``
rule with the raw text as example. Nothing here can raise a database conversion
error, wherever the bad value sits in the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import pandas as pd

from .errors import Check, InputValidationError, finite_check
from .text import parse_number, parse_timestamp, trim

BYTE_ORDER_MARK = "\ufeff"
# Rule of a value that does not parse: unparseable_<column>.
UNPARSEABLE = "unparseable_"
# Dates pandas (and so the feature and model steps) can hold.
EARLIEST_REPRESENTABLE = dt.datetime(1678, 1, 1)
LATEST_REPRESENTABLE = dt.datetime(2261, 12, 31)
READ_TYPES = {
    "read_problem": "string",
    "read_problem_value": "string",
    "id_normalised": "boolean",
}


def as_table(raw: object, dataset: str) -> ir.Table:
    """Turns what a Kedro dataset loaded into an Ibis table.

    Args:
        raw: An Ibis table (``ibis.*Dataset``) or a pandas frame (``pandas.*Dataset``:
            CSV with any separator, Excel, parquet, ...).
        dataset: Name of the dataset, for the error message.

    Returns:
        An Ibis table; a frame's mixed or object columns become text, its column
        names text, and a UTF-8 byte-order mark is removed from the first name.

    Raises:
        InputValidationError: If ``raw`` is neither.
    """
    if isinstance(raw, pd.DataFrame):
        frame = raw.rename(columns=lambda name: _clean_name(str(name)))
        objects = [name for name in frame.columns if frame[name].dtype == object]
        frame = frame.astype(dict.fromkeys(objects, "string"))
        return _memtable(frame.reset_index(drop=True))
    if isinstance(raw, ir.Table):
        renames = {
            _clean_name(name): name for name in raw.columns if name != _clean_name(name)
        }
        return raw.rename(renames) if renames else raw
    raise InputValidationError(
        f"{dataset}: loaded a {type(raw).__name__}, not a table (rule: a table "
        "input); use an ibis.*Dataset or a pandas.*Dataset in the catalog"
    )


def _memtable(frame: pd.DataFrame) -> ir.Table:
    # Missing text goes in as None: Spark turns a pandas NaN in a text column into
    # the text 'NaN'. The schema keeps an all-missing text column text.
    schema = ibis.memtable(frame).schema()
    text = [name for name in frame.columns if pd.api.types.is_string_dtype(frame[name])]
    as_none = {
        name: frame[name].astype(object).where(frame[name].notna(), None)
        for name in text
    }
    return ibis.memtable(frame.assign(**as_none), schema=schema)


def _clean_name(name: str) -> str:
    return name.lstrip(BYTE_ORDER_MARK).strip()


def without_missing(
    column: ir.Column, missing_values: list[str], *, trimmed: bool = False
) -> ir.Column:
    """Trims text and replaces missing-value tokens and NaN by null.

    Args:
        column: A raw column.
        missing_values: Texts meaning "no value", compared after trimming.
        trimmed: The text is already trimmed (skips the whitespace check).

    Returns:
        The column, text trimmed, with null where a text is a token (or only
        spaces) or a float is NaN.
    """
    if column.type().is_floating():
        # NaN is found through its text: DuckDB answers isnan() from parquet
        # column statistics, which leave NaN out, and so misses it.
        is_nan = column.cast("string").lower().isin(["nan", "-nan"])
        return ibis.ifelse(is_nan, ibis.null(column.type()), column)
    if not column.type().is_string():
        return column
    if not trimmed:
        column = trim(column)
    return ibis.ifelse(
        is_missing_token(column, missing_values), ibis.null("string"), column
    )


def is_missing_token(
    text: ir.StringValue, missing_values: list[str]
) -> ir.BooleanValue:
    """Whether a text is a missing-value token or empty, as one expression per line.

    Written as equalities joined by OR, not ``isin``: DuckDB plans a list of
    constants with ``IN`` as a join against the list (run on every line, and
    keeping the compared value from being shared with the projection that reads it
    again), while the equalities stay a scalar expression. Both give the same
    answer, null for a null text; Spark compiles either.

    Args:
        text: Trimmed text.
        missing_values: Texts meaning "no value".

    Returns:
        True where ``text`` is a token or empty, null where it is null.
    """
    tokens = sorted({*missing_values, ""})
    return ibis.or_(*[text == token for token in tokens])


def present_name(source: str) -> str:
    """Name of the working column holding ``source`` without missing-value tokens."""
    return f"__read_value_{source}"


def with_present_values(
    table: ir.Table, sources: list[str], missing_values: list[str]
) -> ir.Table:
    """Adds each column without missing-value tokens, computed once per line.

    Later expressions read it by name (:func:`present_name`): written inline,
    :func:`without_missing` would be repeated inside every rule that reads the
    value. Text is trimmed in one projection and compared with the tokens in the
    next, so the trim runs once too.

    Args:
        table: The raw table.
        sources: Its columns to read.
        missing_values: Texts meaning "no value".

    Returns:
        ``table`` with a ``present_name(source)`` column per source.
    """
    sources = list(dict.fromkeys(sources))
    texts = [source for source in sources if table[source].type().is_string()]
    trimmed = table.mutate(
        **{present_name(source): trim(table[source]) for source in texts}
    )
    return trimmed.mutate(
        **{
            present_name(source): without_missing(
                trimmed[present_name(source)] if source in texts else trimmed[source],
                missing_values,
                trimmed=True,
            )
            for source in sources
        }
    )


def parsed_name(source: str) -> str:
    """Name of the working column holding the text ``source`` parsed."""
    return f"__read_parsed_{source}"


def with_parsed_values(
    table: ir.Table,
    numbers: list[str],
    dates: list[str],
    date_format: str | None,
) -> ir.Table:
    """Adds each text number and text date parsed, computed once per line.

    The parse of a text is a large expression (``text.py``), and its result is
    read by the value and by several reading rules: written inline, it would be
    repeated in each (three times the statement, slower to plan on every
    engine). :meth:`ReadProblems.number` and :meth:`ReadProblems.timestamp` read
    it by name (:func:`parsed_name`). Columns that are not text are cast where
    they are read, as before.

    Args:
        table: Output of :func:`with_present_values` for these columns.
        numbers: Number columns of the raw table.
        dates: Date columns of the raw table.
        date_format: See :func:`.text.parse_timestamp`.

    Returns:
        ``table`` with a ``parsed_name(source)`` column per text source.
    """

    def is_text(source: str) -> bool:
        return table[source].type().is_string()

    return table.mutate(
        **{
            parsed_name(source): parse_number(table[present_name(source)])
            for source in dict.fromkeys(numbers)
            if is_text(source)
        },
        **{
            parsed_name(source): parse_timestamp(
                table[present_name(source)], date_format
            )
            for source in dict.fromkeys(dates)
            if is_text(source)
        },
    )


def raw_text(column: ir.Column) -> ir.StringValue:
    """The raw value as text, for examples in the data-quality report."""
    return column.cast("string")


@dataclass
class ReadProblems:
    """Reads columns of one raw table and keeps the reading rules its rows may break.

    A row gets the first rule it breaks, in the order the columns were read.

    Attributes:
        table: The raw table.
        dataset: Name of the dataset, for errors.
        missing_values: Texts meaning "no value".
        cases: ``(broken, rule, raw value as text)`` per rule.
        checks: Named-error checks the caller runs (:func:`.errors.run_checks`).
    """

    table: ir.Table
    dataset: str
    missing_values: list[str]
    cases: list[tuple[ir.BooleanValue, str, ir.Value]] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    def number(self, name: str, source: str, *, required: bool) -> ir.Column:
        """Reads a number column: ``missing_<name>`` (when required), ``unparseable_<name>``.

        Args:
            name: Canonical name, for the rules.
            source: Column of the raw table.
            required: Whether a missing value breaks ``missing_<name>``.

        Returns:
            A float64 column, null where missing or unreadable. Adds the check
            that no value is infinite (rule: finite numbers) to ``checks``.
        """
        present = self.present(source)
        number = self._parsed(source, lambda: parse_number(present))
        self.checks.append(finite_check(self.table, number, self.dataset, source))
        if required:
            self.missing(name, present)
        self.unparseable(name, present, number)
        return number

    def timestamp(
        self, name: str, source: str, date_format: str | None, *, required: bool
    ) -> ir.Column:
        """Reads a date column: ``missing_<name>`` (when required), ``unparseable_<name>``, ``out_of_range_<name>``.

        Args:
            name: Canonical name, for the rules.
            source: Column of the raw table.
            date_format: See :func:`parse_timestamp`.
            required: Whether a missing value breaks ``missing_<name>``.

        Returns:
            A timestamp column, null where missing or unreadable.
        """
        present = self.present(source)
        parsed = self._parsed(source, lambda: parse_timestamp(present, date_format))
        if required:
            self.missing(name, present)
        self.unparseable(name, present, parsed)
        self.out_of_range(name, parsed)
        return parsed

    def present(self, source: str) -> ir.Column:
        """A column without missing-value tokens: its working column when the table has one."""
        if present_name(source) in self.table.columns:
            return self.table[present_name(source)]
        return without_missing(self.table[source], self.missing_values)

    def _parsed(self, source: str, parse: Callable[[], ir.Column]) -> ir.Column:
        # The working column of :func:`with_parsed_values` when the table has one.
        if parsed_name(source) in self.table.columns:
            return self.table[parsed_name(source)]
        return parse()

    def missing(self, name: str, cleaned: ir.Column) -> None:
        """Adds ``missing_<name>``: the value is null or a missing-value token."""
        self.cases.append((cleaned.isnull(), f"missing_{name}", ibis.null("string")))

    def unparseable(self, name: str, cleaned: ir.Column, parsed: ir.Column) -> None:
        """Adds ``unparseable_<name>``: present, but the cast gave null."""
        broken = cleaned.notnull() & parsed.isnull()
        self.cases.append((broken, f"{UNPARSEABLE}{name}", raw_text(cleaned)))

    def out_of_range(self, name: str, parsed: ir.Column) -> None:
        """Adds ``out_of_range_<name>``: a date pandas cannot hold."""
        earliest = ibis.literal(EARLIEST_REPRESENTABLE).cast("timestamp")
        latest = ibis.literal(LATEST_REPRESENTABLE).cast("timestamp")
        broken = (parsed < earliest) | (parsed > latest)
        self.cases.append((broken, f"out_of_range_{name}", raw_text(parsed)))

    def columns(self) -> dict[str, ir.Value]:
        """The ``read_problem`` and ``read_problem_value`` columns of a row.

        Returns:
            Rule name of the first broken rule (null when none) and its raw value.
        """
        if not self.cases:
            return {
                "read_problem": ibis.null("string"),
                "read_problem_value": ibis.null("string"),
            }
        return {
            "read_problem": ibis.cases(
                *[(broken.fill_null(False), rule) for broken, rule, _ in self.cases],
                else_=ibis.null("string"),
            ),
            "read_problem_value": ibis.cases(
                *[(broken.fill_null(False), value) for broken, _, value in self.cases],
                else_=ibis.null("string"),
            ),
        }


def empty_table(schema: dict[str, str]) -> ir.Table:
    """An empty table with the given columns and the reading columns (an input not read)."""
    schema = schema | READ_TYPES
    return ibis.memtable(pd.DataFrame(columns=list(schema)), schema=ibis.schema(schema))
