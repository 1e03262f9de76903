"""Audience tables a CRM imports: every customer with its segment, action and defining features."""

from __future__ import annotations

import logging
import re

import pandas as pd

from customer_segmentation.pipelines.modeling.settings import ModelFeatures

from .profiles import ID_COLUMN, SEGMENT_COLUMN, join_segments

logger = logging.getLogger(__name__)

AUDIENCE_COLUMNS = (
    ID_COLUMN,
    SEGMENT_COLUMN,
    "segment_name",
    "recommended_action",
    "segment_rule",
)


def _defining_features(
    customer_features: pd.DataFrame,
    segment_names: pd.DataFrame,
    model_features: ModelFeatures,
) -> list[str]:
    wanted = {*model_features.numeric, *model_features.categorical}
    for traits in segment_names["trait_features"].fillna(""):
        wanted.update(feature for feature in traits.split("; ") if feature)
    return [column for column in customer_features.columns if column in wanted]


def build_segment_audiences(
    customer_features: pd.DataFrame,
    customer_segments: pd.DataFrame,
    segment_names: pd.DataFrame,
    segment_rules: pd.DataFrame,
    model_features: ModelFeatures,
) -> pd.DataFrame:
    """Lists every segmented customer with what a campaign needs to target them.

    Args:
        customer_features: One row per customer.
        customer_segments: ``customer_id`` and ``segment_id``.
        segment_names: ``segment_id``, ``segment_name``, ``recommended_action``
            and ``trait_features``.
        segment_rules: ``segment_id``, ``rule`` and ``recall``; the rule that
            catches most of the segment is quoted.
        model_features: The features the model was fitted on.

    Returns:
        One row per customer of ``customer_segments``, ordered by segment then
        customer: ``customer_id``, ``segment_id``, ``segment_name``,
        ``recommended_action``, ``segment_rule``, then the features that define
        the segments (the model's features and those quoted as traits).

    Raises:
        ValueError: If a segment has no row in ``segment_names``, or a customer
            has no feature row.
    """
    unnamed = sorted(
        set(customer_segments[SEGMENT_COLUMN]) - set(segment_names[SEGMENT_COLUMN])
    )
    if unnamed:
        raise ValueError(
            f"segment_names: no row for segment id(s) {unnamed} of customer_segments"
        )
    features = _defining_features(customer_features, segment_names, model_features)
    main_rules = (
        segment_rules.sort_values([SEGMENT_COLUMN, "recall"], ascending=[True, False])
        .drop_duplicates(SEGMENT_COLUMN)
        .set_index(SEGMENT_COLUMN)["rule"]
        .rename("segment_rule")
    )
    audiences = (
        join_segments(customer_features[[ID_COLUMN, *features]], customer_segments)
        .merge(
            segment_names[[SEGMENT_COLUMN, "segment_name", "recommended_action"]],
            on=SEGMENT_COLUMN,
            how="left",
        )
        .merge(main_rules, left_on=SEGMENT_COLUMN, right_index=True, how="left")
    )
    return audiences[[*AUDIENCE_COLUMNS, *features]].sort_values(
        [SEGMENT_COLUMN, ID_COLUMN], ignore_index=True
    )


def partition_name(segment_id: int, segment_name: str) -> str:
    """Builds the file name (without suffix) of one segment's audience.

    Args:
        segment_id: Segment id.
        segment_name: Segment name.

    Returns:
        ``segment_<id>_<name>`` with the name lower-cased and every run of other
        characters than letters and digits turned into ``_`` (at most 40 of them).
    """
    slug = re.sub(
        r"[^a-z0-9]+", "_", segment_name.split(":", maxsplit=1)[0].lower()
    ).strip("_")
    return f"segment_{segment_id}_{slug[:40]}".rstrip("_")


def split_segment_audiences(segment_audiences: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Splits the audience table into one table per segment.

    Args:
        segment_audiences: Output of :func:`build_segment_audiences`.

    Returns:
        Partition name (:func:`partition_name`) -> that segment's rows.
    """
    partitions = {
        partition_name(
            int(segment), str(rows["segment_name"].iloc[0])
        ): rows.reset_index(drop=True)
        for segment, rows in segment_audiences.groupby(SEGMENT_COLUMN, sort=True)
    }
    logger.info("Audience files: %s", sorted(partitions))
    return partitions
