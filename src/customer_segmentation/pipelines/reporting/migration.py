"""Movement of customers between segments since the previous run, and this run's snapshot."""

from __future__ import annotations

import logging

import pandas as pd

from .profiles import ID_COLUMN, SEGMENT_COLUMN

logger = logging.getLogger(__name__)

NEW_CUSTOMER = "(new customer)"
NOT_IN_RUN = "(not in this run)"


def compare_segment_assignments(
    previous_segment_assignments: pd.DataFrame,
    customer_segments: pd.DataFrame,
    segment_names: pd.DataFrame,
) -> pd.DataFrame:
    """Counts how many customers moved between segments since the previous run.

    Args:
        previous_segment_assignments: ``customer_id``, ``segment_id`` and
            ``segment_name`` of the latest earlier run; empty when there is none.
        customer_segments: ``customer_id`` and ``segment_id`` of this run.
        segment_names: Output of :func:`~.naming.name_segments`.

    Returns:
        One row per (previous, current) pair with customers:
        ``previous_segment_id`` and ``segment_id`` (nullable integers; empty for a
        customer new in this run or gone from it), ``previous_segment_name``,
        ``segment_name`` and ``n_customers``. No rows without a previous run.

    Raises:
        ValueError: If the previous assignments lack ``customer_id`` or
            ``segment_id``.
    """
    columns = [
        "previous_segment_id",
        "previous_segment_name",
        SEGMENT_COLUMN,
        "segment_name",
        "n_customers",
    ]
    if previous_segment_assignments.empty:
        logger.info("No previous segment assignments: no migration matrix this run")
        return pd.DataFrame(columns=columns).astype(
            {
                "previous_segment_id": "Int64",
                SEGMENT_COLUMN: "Int64",
                "n_customers": "int64",
            }
        )
    absent = [
        column
        for column in (ID_COLUMN, SEGMENT_COLUMN)
        if column not in previous_segment_assignments
    ]
    if absent:
        raise ValueError(
            f"previous_segment_assignments: missing column(s) {absent}; "
            f"found {list(previous_segment_assignments.columns)}"
        )
    previous = previous_segment_assignments.rename(
        columns={
            SEGMENT_COLUMN: "previous_segment_id",
            "segment_name": "previous_segment_name",
        }
    )
    if "previous_segment_name" not in previous:
        previous = previous.assign(
            previous_segment_name="segment "
            + previous["previous_segment_id"].astype(str)
        )
    current = customer_segments[[ID_COLUMN, SEGMENT_COLUMN]].merge(
        segment_names[[SEGMENT_COLUMN, "segment_name"]], on=SEGMENT_COLUMN, how="left"
    )
    # Ids are compared as text: a storage change between runs (e.g. integers in
    # CSV, then strings in Parquet) must not make every customer look new.
    moves = (
        previous[[ID_COLUMN, "previous_segment_id", "previous_segment_name"]]
        .astype({ID_COLUMN: str})
        .merge(current.astype({ID_COLUMN: str}), on=ID_COLUMN, how="outer")
    )
    moves = moves.assign(
        previous_segment_id=moves["previous_segment_id"].astype("Int64"),
        segment_id=moves[SEGMENT_COLUMN].astype("Int64"),
        previous_segment_name=moves["previous_segment_name"].fillna(NEW_CUSTOMER),
        segment_name=moves["segment_name"].fillna(NOT_IN_RUN),
    )
    matrix = (
        moves.groupby(
            [
                "previous_segment_id",
                "previous_segment_name",
                SEGMENT_COLUMN,
                "segment_name",
            ],
            dropna=False,
        )
        .size()
        .rename("n_customers")
        .reset_index()
        .sort_values(["previous_segment_id", SEGMENT_COLUMN], na_position="last")
        .reset_index(drop=True)
    )
    stayed = matrix.loc[
        matrix["previous_segment_id"] == matrix[SEGMENT_COLUMN], "n_customers"
    ].sum()
    logger.info(
        "Migration: %d of %d customers kept their segment id since the previous run",
        stayed,
        matrix["n_customers"].sum(),
    )
    return matrix[columns]


def snapshot_segment_assignments(
    customer_segments: pd.DataFrame,
    segment_names: pd.DataFrame,
    segment_migration: pd.DataFrame,
) -> pd.DataFrame:
    """Builds this run's entry of the versioned segment assignment history.

    Args:
        customer_segments: ``customer_id`` and ``segment_id``.
        segment_names: Output of :func:`~.naming.name_segments`.
        segment_migration: Output of :func:`compare_segment_assignments`; unused,
            but taking it makes Kedro save the new snapshot only after the previous
            one was read.

    Returns:
        ``customer_id``, ``segment_id`` and ``segment_name``.
    """
    del segment_migration
    return customer_segments[[ID_COLUMN, SEGMENT_COLUMN]].merge(
        segment_names[[SEGMENT_COLUMN, "segment_name"]], on=SEGMENT_COLUMN, how="left"
    )
