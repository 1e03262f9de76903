"""The duplicate-line rule: a copy of a line that passes every other rule is dropped.

The rule needs every line before it can flag any, so it does not run in the
statement that writes the flagged lines. That statement writes each line with
the first other rule it breaks and, for the lines no rule drops, a 64-bit
:func:`line_key` (``keyed_transactions``). The keys that repeat are then counted
from that table, and only the lines whose key repeats are grouped on every
column and numbered (:func:`repeated_lines`, ``repeated_transactions``: 6.5% of
the generator's lines), so two different lines that share a key are never
merged. The flagged lines are the keyed lines whose key does not repeat, and
the numbered ones (:func:`with_duplicate_lines`, a view).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from .rules import LINE_KEY, NO_VALUE, first_broken

# Working column: 0 for the first of identical lines, 1, 2, ... for its copies.
OCCURRENCE = "__occurrence"
DUPLICATE_LINE = "duplicate_line"
# Columns of a flagged line that are not the line itself.
NOT_THE_LINE = ("id_normalised", "drop_reason", "drop_value", LINE_KEY)


def line_key(table: ir.Table) -> ir.IntegerValue:
    """The key of a line that may be a copy: a hash of its values, null if a rule drops it.

    The engine's hash of the line's canonical columns and how they were read
    (``read_problem``, ``read_problem_value``): 64 bits on DuckDB, 32 bits on
    Spark. A floating-point value is hashed plus ``0.0``, which turns ``-0.0``
    into ``0.0``: both engines' grouping finds the two equal, Spark's hash does
    not.
    Different lines may share a key; :func:`repeated_lines` compares the lines
    whose key repeats column by column.

    Args:
        table: Standardised lines with ``drop_reason`` (every rule but this one).

    Returns:
        The key, null for the lines another rule drops (never copies).
    """
    line = ibis.struct(
        {
            name: table[name] + 0.0 if table[name].type().is_floating() else table[name]
            for name in table.columns
            if name not in NOT_THE_LINE
        }
    )
    return ibis.ifelse(table.drop_reason.isnull(), line.hash(), ibis.null("int64"))


def with_line_occurrence(table: ir.Table) -> ir.Table:
    """Numbers the identical lines of a table: 0 for the first, 1, 2, ... for its copies.

    Lines are identical when they agree on every canonical column and on how they
    were read. The lines are counted per group and the groups expanded back to
    one row per line: a hash aggregate, about half the engine time of a window
    over every column (which sorts every line). ``id_normalised`` is summed per
    group and given back to as many of its lines, so the number of normalised
    ids, all the report reads of it, is exact.

    Args:
        table: Lines (canonical columns, ``read_problem``, ``read_problem_value``
            and ``id_normalised``).

    Returns:
        The same lines, in no particular order, with ``__occurrence``.
    """
    keys = [name for name in table.columns if name != "id_normalised"]
    groups = table.group_by(keys).agg(
        __lines=table.count(),
        __normalised=table.id_normalised.cast("int64").sum().fill_null(0),
    )
    lines = groups.mutate(**{OCCURRENCE: ibis.range(groups["__lines"]).unnest()})
    return lines.select(
        *keys,
        id_normalised=lines[OCCURRENCE] < lines["__normalised"],
        **{OCCURRENCE: lines[OCCURRENCE]},
    )


def repeated_lines(keyed: ir.Table) -> ir.Table:
    """The lines whose key another line has, numbered and flagged.

    Args:
        keyed: Flagged lines with their :func:`line_key` (every rule but this one).

    Returns:
        Those lines, with the columns of ``keyed``: the first of each group of
        identical lines kept (``drop_reason`` null), its copies
        ``duplicate_line``. A line that only shares its key with different
        lines is kept, as it was.
    """
    keys = keyed.filter(keyed[LINE_KEY].notnull())
    counts = keys.group_by(LINE_KEY).agg(__lines=keys.count())
    keys = counts.filter(counts["__lines"] > 1).select(LINE_KEY)
    lines = keyed.semi_join(keys, LINE_KEY).drop("drop_reason", "drop_value")
    # The key is a function of the line: grouping on it too merges no group.
    numbered = with_line_occurrence(lines)
    flagged = numbered.mutate(
        **first_broken([(numbered[OCCURRENCE] > 0, DUPLICATE_LINE, NO_VALUE)])
    )
    return flagged.select(*keyed.columns)


def with_duplicate_lines(keyed: ir.Table, repeated: ir.Table) -> ir.Table:
    """Every line with the first rule it breaks, the duplicate-line rule included.

    Args:
        keyed: Flagged lines with their :func:`line_key`.
        repeated: Output of :func:`repeated_lines` on them.

    Returns:
        The lines of ``keyed`` whose key does not repeat, and the lines of
        ``repeated``: the same lines, without the key.
    """
    single = keyed.anti_join(repeated, LINE_KEY)
    return single.union(repeated).drop(LINE_KEY)
