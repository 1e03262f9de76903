"""If-then rules a CRM can apply: one-vs-rest rules per segment and the overall fidelity."""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
import pandas as pd
from sklearn.tree import DecisionTreeClassifier

from .profiles import (
    SEGMENT_COLUMN,
    categorical_feature_columns,
    join_segments,
    numeric_feature_columns,
)
from .settings import RulesSettings

logger = logging.getLogger(__name__)


def _rule_features(
    customer_features: pd.DataFrame, rules: RulesSettings
) -> tuple[pd.DataFrame, dict[str, tuple[str, str]]]:
    numeric = numeric_feature_columns(customer_features)
    matrix = customer_features[numeric].astype("float64")
    matrix = matrix.fillna(matrix.median()).fillna(0.0)
    indicators: dict[str, tuple[str, str]] = {}
    for column in categorical_feature_columns(customer_features):
        levels = customer_features[column].dropna().unique()
        if len(levels) > rules.max_category_levels:
            logger.info(
                "Rules leave out %r: %d levels > max_category_levels=%d",
                column,
                len(levels),
                rules.max_category_levels,
            )
            continue
        for level in sorted(map(str, levels)):
            name = f"{column}={level}"
            indicators[name] = (column, level)
            matrix[name] = (customer_features[column].astype(str) == level).astype(
                "float64"
            )
    return matrix, indicators


def _format_threshold(value: float) -> str:
    if value == math.floor(value):
        return f"{value:,.0f}"
    return f"{value:,.4g}" if abs(value) >= 1 else f"{value:.3g}"


def _describe_conditions(
    conditions: list[tuple[str, str, float]],
    indicators: dict[str, tuple[str, str]],
    integer_columns: set[str],
) -> str:
    lower: dict[str, float] = {}
    upper: dict[str, float] = {}
    order: list[str] = []
    for feature, operator, threshold in conditions:
        if feature not in order:
            order.append(feature)
        if operator == "<=":
            upper[feature] = min(upper.get(feature, math.inf), threshold)
        else:
            lower[feature] = max(lower.get(feature, -math.inf), threshold)
    parts = []
    for feature in order:
        if feature in indicators:
            column, level = indicators[feature]
            negated = feature in upper
            parts.append(f"{column} {'is not' if negated else 'is'} {level}")
            continue
        low, high = lower.get(feature), upper.get(feature)
        if feature in integer_columns:
            # Integer features read better as whole-number bounds than as midpoints.
            low_text = None if low is None else f">= {math.floor(low) + 1:,}"
            high_text = None if high is None else f"<= {math.floor(high):,}"
        else:
            low_text = None if low is None else f"> {_format_threshold(low)}"
            high_text = None if high is None else f"<= {_format_threshold(high)}"
        bounds = " and ".join(text for text in (low_text, high_text) if text)
        parts.append(f"{feature} {bounds}")
    return " AND ".join(parts) if parts else "all customers"


def _leaf_paths(
    tree: DecisionTreeClassifier, feature_names: list[str]
) -> list[tuple[int, list[tuple[str, str, float]]]]:
    structure = tree.tree_
    paths = []
    stack: list[tuple[int, list[tuple[str, str, float]]]] = [(0, [])]
    while stack:
        node, conditions = stack.pop()
        left, right = structure.children_left[node], structure.children_right[node]
        if left == right:
            paths.append((node, conditions))
            continue
        name = feature_names[structure.feature[node]]
        threshold = float(structure.threshold[node])
        stack.append((right, [*conditions, (name, ">", threshold)]))
        stack.append((left, [*conditions, (name, "<=", threshold)]))
    return paths


def _segment_rules(
    matrix: np.ndarray,
    inside: np.ndarray,
    feature_names: list[str],
    rules: RulesSettings,
) -> list[tuple[list[tuple[str, str, float]], int, int]]:
    # One shallow tree of "this segment or not"; its leaves where the segment is
    # over-represented (balanced classes) are the segment's rules.
    size = int(inside.sum())
    min_leaf = max(1, min(math.ceil(rules.min_leaf_share * len(matrix)), size // 2))
    tree = DecisionTreeClassifier(
        max_depth=rules.segment_depth,
        min_samples_leaf=min_leaf,
        class_weight="balanced",
        min_impurity_decrease=rules.min_impurity_decrease,
        random_state=rules.random_state,
    ).fit(matrix, inside)
    leaves = tree.apply(matrix)
    found = []
    for leaf in np.unique(leaves):
        in_leaf = leaves == leaf
        hits = int((inside & in_leaf).sum())
        found.append((int(leaf), hits, int(in_leaf.sum())))
    # A leaf is the segment's rule when the segment is denser there than overall.
    base_rate = size / len(matrix)
    chosen = [leaf for leaf in found if leaf[1] > base_rate * leaf[2]] or [
        max(found, key=lambda leaf: leaf[1] / leaf[2])
    ]
    paths = dict(_leaf_paths(tree, feature_names))
    return [(paths[leaf], hits, n_customers) for leaf, hits, n_customers in chosen]


def derive_segment_rules(
    customer_features: pd.DataFrame,
    customer_segments: pd.DataFrame,
    segment_names: pd.DataFrame,
    rules: RulesSettings,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Describes every segment by if-then rules on the original features.

    Features are numeric in their own units (missing values set to the median)
    and categorical ones with at most ``max_category_levels`` levels as "is / is
    not" tests. Each segment gets a shallow one-vs-rest tree of depth
    ``segment_depth`` (classes balanced); its leaves where the segment is
    over-represented are the segment's rules, so every segment has at least one.
    Fidelity is measured on one multi-class tree of depth ``max_depth``: the share
    of customers it gives their own segment.

    The pipeline gives it the customer sample (``customer_sample``, every
    customer when there are fewer): the trees, counts, precision, recall and
    fidelity are then those of the sample, and the report says so.

    Args:
        customer_features: One row per customer, with ``customer_id`` (all
            customers or a sample of them).
        customer_segments: ``customer_id`` and ``segment_id`` of the same customers.
        segment_names: ``segment_id`` and ``segment_name``.
        rules: Depths, smallest leaf and seed of the trees.

    Returns:
        A table with one row per rule (``segment_id``, ``segment_name``, ``rule``,
        ``n_customers``, ``precision`` = share of the rule's customers in the
        segment, ``recall`` = share of the segment's customers the rule catches),
        ordered by segment then recall; and a summary with ``fidelity``,
        ``n_rules``, ``max_depth``, ``segment_depth``, ``n_customers`` and
        ``features``.

    Raises:
        ValueError: If there are no numeric or categorical features to build rules on.
    """
    merged = join_segments(customer_features, customer_segments)
    frame, indicators = _rule_features(merged.drop(columns=[SEGMENT_COLUMN]), rules)
    if frame.shape[1] == 0:
        raise ValueError(
            "customer_features: no numeric or categorical column to build rules on; "
            f"columns are {list(customer_features.columns)}"
        )
    matrix = frame.to_numpy()
    feature_names = list(frame.columns)
    target = merged[SEGMENT_COLUMN].to_numpy()
    overall = DecisionTreeClassifier(
        max_depth=rules.max_depth,
        min_samples_leaf=max(1, math.ceil(rules.min_leaf_share * len(matrix))),
        random_state=rules.random_state,
    ).fit(matrix, target)
    fidelity = float((overall.predict(matrix) == target).mean())
    integer_columns = {
        column
        for column in numeric_feature_columns(customer_features)
        if pd.api.types.is_integer_dtype(customer_features[column])
    }
    names = segment_names.set_index(SEGMENT_COLUMN)["segment_name"]
    rows = []
    for segment in sorted(int(value) for value in np.unique(target)):
        inside = target == segment
        for conditions, hits, n_customers in _segment_rules(
            matrix, inside, feature_names, rules
        ):
            rows.append(
                {
                    SEGMENT_COLUMN: segment,
                    "segment_name": names.get(segment, f"segment {segment}"),
                    "rule": _describe_conditions(
                        conditions, indicators, integer_columns
                    ),
                    "n_customers": n_customers,
                    "precision": hits / n_customers,
                    "recall": hits / int(inside.sum()),
                }
            )
    table = (
        pd.DataFrame(rows)
        .sort_values([SEGMENT_COLUMN, "recall"], ascending=[True, False])
        .reset_index(drop=True)
    )
    logger.info(
        "Rules: %d for %d segments; a tree of depth <= %d reproduces %.1f%% of the "
        "segment assignments (fidelity)",
        len(table),
        table[SEGMENT_COLUMN].nunique(),
        rules.max_depth,
        100 * fidelity,
    )
    summary = {
        "fidelity": fidelity,
        "n_rules": len(table),
        "max_depth": rules.max_depth,
        "segment_depth": rules.segment_depth,
        "n_customers": len(matrix),
        "features": feature_names,
    }
    return table, summary
