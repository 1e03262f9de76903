"""RFM scores of customers and the position of each segment in the RFM scheme."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from .profiles import ID_COLUMN, SEGMENT_COLUMN, join_segments
from .settings import RfmRule, RfmSettings

logger = logging.getLogger(__name__)

SCORE_NAMES = ("recency", "frequency", "monetary")


def _percentiles(values: pd.Series) -> pd.Series:
    # The mid-rank percentile puts ties on one value, a lone customer or a column
    # of equal values in the middle, and n distinct values evenly in (0, 1).
    return (values.rank(method="average") - 0.5) / len(values)


def continuous_scores(
    values: pd.Series, n_bins: int, reverse: bool = False
) -> pd.Series:
    """Places values on the continuous score scale ``(0.5, n_bins + 0.5)``.

    Args:
        values: One value per customer, no missing value.
        n_bins: Number of score levels.
        reverse: Whether lower values score higher (recency).

    Returns:
        ``n_bins * mid_rank_percentile + 0.5``; rounding it gives the integer
        score of :func:`score_rfm`, except at the exact bin edges.
    """
    percentile = _percentiles(values)
    if reverse:
        percentile = 1 - percentile
    return n_bins * percentile + 0.5


def _integer_scores(values: pd.Series, n_bins: int) -> pd.Series:
    return (np.floor(_percentiles(values) * n_bins) + 1).clip(1, n_bins).astype("int64")


def rfm_columns(rfm: RfmSettings) -> dict[str, str]:
    """Maps each RFM score name to its feature column.

    Args:
        rfm: RFM settings.

    Returns:
        ``{"recency": ..., "frequency": ..., "monetary": ...}``.
    """
    return {
        "recency": rfm.recency_column,
        "frequency": rfm.frequency_column,
        "monetary": rfm.monetary_column,
    }


def has_rfm_columns(customer_features: pd.DataFrame, rfm: RfmSettings) -> bool:
    """Tells whether the features hold recency, frequency and monetary columns.

    Args:
        customer_features: One row per customer.
        rfm: RFM settings naming the columns.

    Returns:
        ``True`` when all three columns exist.
    """
    return all(column in customer_features for column in rfm_columns(rfm).values())


def _check_complete(customer_features: pd.DataFrame, columns: list[str]) -> None:
    for column in columns:
        missing = int(customer_features[column].isna().sum())
        if missing:
            raise ValueError(
                f"customer_features: column {column!r} has {missing} missing "
                "value(s); RFM scores need a value for every customer"
            )


def _cell_names(rfm: RfmSettings) -> np.ndarray:
    # Scores take n_bins values each, so the segment of every (R, FM) cell is
    # decided once and looked up per customer.
    plain_rules = [rule for rule in rfm.segments if not rule.scores]
    names = np.full((rfm.n_bins + 1, rfm.n_bins + 1), rfm.unmatched_name, dtype=object)
    for recency in range(1, rfm.n_bins + 1):
        for frequency_monetary in range(1, rfm.n_bins + 1):
            position = {"recency": recency, "frequency_monetary": frequency_monetary}
            names[recency, frequency_monetary] = next(
                (
                    rule.name
                    for rule in plain_rules
                    if rule_distance(rule, position) == 0
                ),
                rfm.unmatched_name,
            )
    return names


def score_rfm(customer_features: pd.DataFrame, rfm: RfmSettings) -> pd.DataFrame:
    """Gives every customer R, F and M scores and a named RFM cell.

    Scores run from 1 to ``n_bins`` (5 = quintiles), higher is better: recent,
    frequent, big spenders score high. A customer's score is
    ``floor(n_bins * (mid_rank - 0.5) / n_customers) + 1`` where ``mid_rank`` is the
    average rank of its value, so equal values share a score, a single customer or
    all-equal values get the middle score, and distinct values fill equal bins.
    Recency is ranked in reverse (fewest days scores highest). The combined
    ``frequency_monetary_score`` is the mean of F and M rounded half up. The RFM
    segment is the first rule of ``rfm.segments`` without extra ``scores`` whose
    ranges hold (R, FM).

    When a recency, frequency or monetary column is missing (attribute-only data),
    scores and segment are left empty and a warning is logged.

    Args:
        customer_features: One row per customer, with ``customer_id``.
        rfm: Score levels, source columns and the named segment rules.

    Returns:
        ``customer_id``, ``recency_score``, ``frequency_score``,
        ``monetary_score``, ``frequency_monetary_score`` (nullable integers),
        ``rfm_score`` (text like ``"545"``) and ``rfm_segment``.

    Raises:
        ValueError: If a recency, frequency or monetary value is missing.
    """
    columns = {f"{name}_score": column for name, column in rfm_columns(rfm).items()}
    result = pd.DataFrame({ID_COLUMN: customer_features[ID_COLUMN].to_numpy()})
    if not has_rfm_columns(customer_features, rfm):
        logger.warning(
            "customer_features has no %s column(s): RFM scores are left empty and "
            "segments are named from their strongest traits only",
            [column for column in columns.values() if column not in customer_features],
        )
        empty_scores = pd.array([pd.NA] * len(result), dtype="Int64")
        return result.assign(
            **{name: empty_scores for name in columns},
            frequency_monetary_score=empty_scores,
            rfm_score=pd.array([pd.NA] * len(result), dtype="string"),
            rfm_segment=pd.array([pd.NA] * len(result), dtype="string"),
        )
    _check_complete(customer_features, list(columns.values()))
    for score_name, column in columns.items():
        scores = _integer_scores(customer_features[column], rfm.n_bins)
        if score_name == "recency_score":
            scores = rfm.n_bins + 1 - scores
        result[score_name] = scores.to_numpy()
    frequency_monetary = np.floor(
        (result["frequency_score"] + result["monetary_score"]) / 2 + 0.5
    ).astype("int64")
    rfm_segment = _cell_names(rfm)[
        result["recency_score"].to_numpy(), frequency_monetary.to_numpy()
    ]
    return result.assign(
        frequency_monetary_score=frequency_monetary,
        rfm_score=(
            result["recency_score"].astype(str)
            + result["frequency_score"].astype(str)
            + result["monetary_score"].astype(str)
        ),
        rfm_segment=rfm_segment,
    ).astype({name: "Int64" for name in [*columns, "frequency_monetary_score"]})


def position_segments(
    customer_features: pd.DataFrame,
    customer_segments: pd.DataFrame,
    rfm: RfmSettings,
) -> pd.DataFrame:
    """Places every segment in the RFM scheme by its members' median scores.

    Each customer gets continuous scores (:func:`continuous_scores`) for recency
    (reversed), frequency, monetary and every extra column of the features that a
    rule of ``rfm.segments`` names under ``scores``; ``frequency_monetary`` is the mean of
    F and M. A segment's position is the median of its members' scores, so it
    says where the segment sits, not where its most common cell is.

    Args:
        customer_features: One row per customer, with the RFM columns.
        customer_segments: ``customer_id`` and ``segment_id``.
        rfm: Score levels, columns and rules.

    Returns:
        One row per segment: ``segment_id`` and one column per score name
        (``recency``, ``frequency``, ``monetary``, ``frequency_monetary`` and the
        extra columns), on the scale ``(0.5, n_bins + 0.5)``.

    Raises:
        ValueError: If an RFM column is absent, or a scored column has missing
            values.
    """
    extra = sorted(
        {
            column
            for rule in rfm.segments
            for column in rule.scores
            if column in customer_features
        }
    )
    columns = {**rfm_columns(rfm), **{column: column for column in extra}}
    absent = [column for column in columns.values() if column not in customer_features]
    if absent:
        raise ValueError(
            f"customer_features: no column(s) {absent} to place segments in the RFM "
            f"scheme; columns are {list(customer_features.columns)}"
        )
    merged = join_segments(customer_features, customer_segments)
    _check_complete(merged, list(columns.values()))
    scores = pd.DataFrame(
        {
            name: continuous_scores(
                merged[column], rfm.n_bins, reverse=name == "recency"
            ).to_numpy()
            for name, column in columns.items()
        }
    )
    scores["frequency_monetary"] = (scores["frequency"] + scores["monetary"]) / 2
    scores[SEGMENT_COLUMN] = merged[SEGMENT_COLUMN].to_numpy()
    return scores.groupby(SEGMENT_COLUMN).median().reset_index()


def rule_distance(rule: RfmRule, position: dict[str, float]) -> float:
    """Measures how far a segment's position lies outside a rule's score ranges.

    Args:
        rule: A named range of the scheme; integer score ``s`` covers the
            continuous interval ``[s - 0.5, s + 0.5]``.
        position: Score name -> the segment's continuous score.

    Returns:
        The Euclidean distance to the rule's box (0 inside it).
    """
    ranges = {"recency": rule.recency, "frequency_monetary": rule.frequency_monetary}
    ranges.update(rule.scores)
    gaps = [
        max(low - 0.5 - position[name], 0.0, position[name] - high - 0.5)
        for name, (low, high) in ranges.items()
    ]
    return float(np.sqrt(np.sum(np.square(gaps))))
