"""Segment names, traits and recommended actions, from the segment's position and traits."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from .profiles import (
    SEGMENT_COLUMN,
    categorical_feature_columns,
    join_segments,
    numeric_feature_columns,
)
from .rfm import has_rfm_columns, position_segments, rule_distance
from .settings import NamingSettings, RfmSettings

logger = logging.getLogger(__name__)

TYPICAL_NAME = "Typical customers"
# A forbidden or impossible pairing costs more than any real distance.
FORBIDDEN = 1e6
# Ties between equally fitting names go to the name whose centre is nearest.
CENTRE_WEIGHT = 0.01


@dataclass(frozen=True)
class Trait:
    """One way a segment differs from the other customers.

    Attributes:
        feature: Feature column.
        direction: ``high``, ``low`` or the over-represented level of a category.
        strength: Absolute robust z (numeric) or lift (categorical).
        words: How the trait reads in a name.
    """

    feature: str
    direction: str
    strength: float
    words: str


def _numeric_traits(
    profile_row: pd.Series, numeric: list[str], naming: NamingSettings
) -> list[Trait]:
    traits = []
    for column in numeric:
        z = float(profile_row[f"{column}_z"])
        if (
            abs(z) < naming.min_trait_z
            or float(profile_row[f"{column}_side_share"]) < naming.min_trait_share
        ):
            continue
        direction = "high" if z > 0 else "low"
        words = naming.trait_words.get(column)
        text = (
            f"{direction} {column.replace('_', ' ')}"
            if words is None
            else getattr(words, direction)
        )
        traits.append(Trait(column, direction, abs(z), text))
    return sorted(traits, key=lambda trait: -trait.strength)


def _categorical_traits(
    merged: pd.DataFrame, inside: np.ndarray, naming: NamingSettings
) -> list[Trait]:
    traits = []
    for column in categorical_feature_columns(merged.drop(columns=SEGMENT_COLUMN)):
        shares = merged.loc[inside, column].value_counts(normalize=True, dropna=True)
        if shares.empty:
            continue
        level, share = shares.index[0], float(shares.iloc[0])
        rest = merged.loc[~inside, column]
        rest_share = float((rest == level).mean()) if len(rest) else np.nan
        lift = share / rest_share if rest_share else np.inf
        if share >= naming.min_category_share and lift >= naming.min_category_lift:
            words = f"mostly {column.replace('_', ' ')} {level}"
            traits.append(Trait(column, str(level), float(lift), words))
    return traits


def _assign(costs: np.ndarray) -> dict[int, int]:
    # One name per segment and one segment per name, at the least total cost.
    rows, columns = linear_sum_assignment(costs)
    return {
        int(row): int(column)
        for row, column in zip(rows, columns, strict=True)
        if costs[row, column] < FORBIDDEN
    }


def _rfm_names(
    positions: pd.DataFrame, rfm: RfmSettings, naming: NamingSettings
) -> dict[int, str]:
    middle = (rfm.n_bins + 1) / 2
    costs = np.full((len(positions), len(rfm.segments)), FORBIDDEN)
    for row, position in enumerate(positions.to_dict("records")):
        for column, rule in enumerate(rfm.segments):
            if any(name not in position for name in rule.scores) or (
                rule.name in naming.recent_only_names and position["recency"] < middle
            ):
                continue
            centre = {
                name: (low + high) / 2
                for name, (low, high) in {
                    "recency": rule.recency,
                    "frequency_monetary": rule.frequency_monetary,
                    **rule.scores,
                }.items()
            }
            spread = np.sqrt(
                sum((position[name] - value) ** 2 for name, value in centre.items())
            )
            costs[row, column] = rule_distance(rule, position) + CENTRE_WEIGHT * spread
    segments = positions[SEGMENT_COLUMN].astype(int).tolist()
    return {
        segments[row]: rfm.segments[column].name
        for row, column in _assign(costs).items()
    }


def _pattern_names(
    traits: dict[int, list[Trait]], naming: NamingSettings
) -> dict[int, tuple[str, str]]:
    segments = sorted(traits)
    costs = np.full((len(segments), len(naming.trait_patterns)), FORBIDDEN)
    for row, segment in enumerate(segments):
        found = {trait.feature: trait for trait in traits[segment]}
        for column, pattern in enumerate(naming.trait_patterns):
            if all(
                feature in found and found[feature].direction == direction
                for feature, direction in pattern.traits.items()
            ):
                costs[row, column] = -sum(
                    found[feature].strength for feature in pattern.traits
                )
    return {
        segments[row]: (
            naming.trait_patterns[column].name,
            naming.trait_patterns[column].action,
        )
        for row, column in _assign(costs).items()
    }


def _make_unique(values: list[str], segments: list[int]) -> list[str]:
    return [
        f"{value} (segment {segment})" if values.count(value) > 1 else value
        for value, segment in zip(values, segments, strict=True)
    ]


def name_segments(
    segment_profiles: pd.DataFrame,
    customer_segments: pd.DataFrame,
    customer_features: pd.DataFrame,
    rfm: RfmSettings,
    naming: NamingSettings,
) -> pd.DataFrame:
    """Names every segment from where it sits in the RFM scheme and its traits.

    With RFM columns, each segment is placed by its members' median scores
    (:func:`~.rfm.position_segments`) and gets the name of the rule of
    ``rfm.segments`` it lies in or nearest to; names are assigned one-to-one at the
    least total distance, so two segments never share one. A segment whose median
    recency score is below the middle never gets a name of
    ``naming.recent_only_names``. Without RFM columns, the name comes from the
    ``naming.trait_patterns`` the segment's traits match (again one-to-one).

    Traits compare the segment with the other customers: numeric features whose
    robust z is at least ``min_trait_z`` and with at least ``min_trait_share`` of
    the segment on that side, strongest first; then over-represented categories.
    The name reads ``"<name>: <trait>, <trait>"``; without a fitting name it is the
    traits alone, or ``"Typical customers"``. The action belongs to the name; a
    segment without one gets ``default_action`` with its traits.

    Args:
        segment_profiles: Output of :func:`~.profiles.profile_segments`.
        customer_segments: ``customer_id`` and ``segment_id``.
        customer_features: One row per customer.
        rfm: RFM columns, score levels and named rules.
        naming: Trait thresholds, words, actions and patterns.

    Returns:
        One row per segment: ``segment_id`` (int), ``segment_name`` and
        ``recommended_action`` (both unique), ``n_customers``,
        ``customer_share``, ``rfm_segment`` (the scheme's name, empty without RFM
        columns), ``recency_position``, ``frequency_position``,
        ``monetary_position`` (median scores, shown on the 1..n_bins scale),
        ``traits`` and ``trait_features``
        (semicolon-separated).

    Raises:
        ValueError: If a segment of ``customer_segments`` has no profile row.
    """
    unprofiled = sorted(
        set(customer_segments[SEGMENT_COLUMN]) - set(segment_profiles[SEGMENT_COLUMN])
    )
    if unprofiled:
        raise ValueError(
            f"segment_profiles: no row for segment id(s) {unprofiled} "
            "of customer_segments"
        )
    merged = join_segments(customer_features, customer_segments)
    numeric = [
        column
        for column in numeric_feature_columns(customer_features)
        if f"{column}_z" in segment_profiles
    ]
    profiles = segment_profiles.sort_values(SEGMENT_COLUMN).set_index(SEGMENT_COLUMN)
    traits = {
        int(segment): (
            _numeric_traits(row, numeric, naming)
            + _categorical_traits(
                merged, (merged[SEGMENT_COLUMN] == segment).to_numpy(), naming
            )
        )[: naming.max_traits]
        for segment, row in profiles.iterrows()
    }
    positions = pd.DataFrame({SEGMENT_COLUMN: list(traits)})
    if has_rfm_columns(customer_features, rfm):
        positions = position_segments(customer_features, customer_segments, rfm)
        rfm_names = _rfm_names(positions, rfm, naming)
        named = {
            segment: (name, naming.actions.get(name, ""))
            for segment, name in rfm_names.items()
        }
    else:
        rfm_names = {}
        named = _pattern_names(traits, naming)
    positions = positions.set_index(SEGMENT_COLUMN)
    rows = []
    for segment, segment_traits in traits.items():
        words = ", ".join(trait.words for trait in segment_traits)
        base, action = named.get(segment, ("", ""))
        if base:
            name = f"{base}: {words}" if words else base
        else:
            name = (words[0].upper() + words[1:]) if words else TYPICAL_NAME
        rows.append(
            {
                SEGMENT_COLUMN: segment,
                "segment_name": name,
                "recommended_action": action
                or (
                    f"{naming.default_action} ({words})"
                    if words
                    else naming.default_action
                ),
                "n_customers": int(profiles.loc[segment, "n_customers"]),
                "customer_share": float(profiles.loc[segment, "customer_share"]),
                "rfm_segment": rfm_names.get(segment),
                **{
                    f"{score}_position": (
                        float(np.clip(positions.loc[segment, score], 1, rfm.n_bins))
                        if score in positions
                        else None
                    )
                    for score in ("recency", "frequency", "monetary")
                },
                "traits": "; ".join(trait.words for trait in segment_traits),
                "trait_features": "; ".join(trait.feature for trait in segment_traits),
            }
        )
    names = pd.DataFrame(rows)
    segments = names[SEGMENT_COLUMN].tolist()
    names["segment_name"] = _make_unique(names["segment_name"].tolist(), segments)
    names["recommended_action"] = _make_unique(
        names["recommended_action"].tolist(), segments
    )
    for row in names.itertuples():
        logger.info(
            "Segment %d: %s -> %s",
            row.segment_id,
            row.segment_name,
            row.recommended_action,
        )
    return names
