"""Nodes that profile, score, name and describe segments, and track how they move."""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
import pandas as pd
from sklearn.tree import DecisionTreeClassifier

from .settings import NamingSettings, RfmSettings, RulesSettings

logger = logging.getLogger(__name__)

REVENUE_COLUMN = "monetary"
ID_COLUMN = "customer_id"
SEGMENT_COLUMN = "segment_id"
NEW_CUSTOMER = "(new customer)"
NOT_IN_RUN = "(not in this run)"
TYPICAL_NAME = "Typical customers"


def numeric_feature_columns(customer_features: pd.DataFrame) -> list[str]:
    """Lists the numeric feature columns (booleans and ``customer_id`` excluded).

    Args:
        customer_features: One row per customer.

    Returns:
        Column names in frame order.
    """
    return [
        column
        for column in customer_features.select_dtypes("number").columns
        if column not in (ID_COLUMN, SEGMENT_COLUMN)
    ]


def categorical_feature_columns(customer_features: pd.DataFrame) -> list[str]:
    """Lists the text or categorical feature columns (dates excluded).

    Args:
        customer_features: One row per customer.

    Returns:
        Column names in frame order.
    """
    return [
        column
        for column in customer_features.columns
        if column not in (ID_COLUMN, SEGMENT_COLUMN)
        and not pd.api.types.is_numeric_dtype(customer_features[column])
        and not pd.api.types.is_bool_dtype(customer_features[column])
        and not pd.api.types.is_datetime64_any_dtype(customer_features[column])
    ]


def join_segments(
    customer_features: pd.DataFrame, customer_segments: pd.DataFrame
) -> pd.DataFrame:
    """Joins every segmented customer to its feature row.

    Args:
        customer_features: One row per customer, with ``customer_id``.
        customer_segments: ``customer_id`` and ``segment_id``.

    Returns:
        ``customer_segments`` with the feature columns added.

    Raises:
        ValueError: If a segmented customer has no feature row.
    """
    merged = customer_segments[[ID_COLUMN, SEGMENT_COLUMN]].merge(
        customer_features,
        on=ID_COLUMN,
        how="left",
        validate="one_to_one",
        indicator=True,
    )
    orphans = merged.loc[merged["_merge"] == "left_only", ID_COLUMN]
    if len(orphans):
        raise ValueError(
            f"customer_segments: {len(orphans)} customer(s) have no row in "
            f"customer_features; examples: {orphans.head(3).tolist()}"
        )
    return merged.drop(columns="_merge")


def profile_segments(
    customer_features: pd.DataFrame, customer_segments: pd.DataFrame
) -> pd.DataFrame:
    """Summarises each segment against the whole customer population.

    Args:
        customer_features: One row per customer, with ``customer_id``.
        customer_segments: ``customer_id`` and ``segment_id``.

    Returns:
        One row per segment id: ``n_customers``, ``customer_share``,
        ``revenue_share`` (when ``monetary`` exists); for every numeric feature
        ``<feature>_mean``, ``<feature>_median`` and ``<feature>_z`` (the segment
        mean minus the population mean, in population standard deviations; 0 when
        the feature is constant); for every categorical feature ``<feature>_mode``
        (most common level) and ``<feature>_mode_share``.

    Raises:
        ValueError: If a segmented customer has no feature row, or there are no
            segmented customers.
    """
    if customer_segments.empty:
        raise ValueError("customer_segments: no rows, so there is nothing to profile")
    merged = join_segments(customer_features, customer_segments)
    numeric = numeric_feature_columns(customer_features)
    categorical = categorical_feature_columns(customer_features)
    grouped = merged.groupby(SEGMENT_COLUMN)
    profile = pd.DataFrame({"n_customers": grouped.size()})
    profile["customer_share"] = profile["n_customers"] / profile["n_customers"].sum()
    if REVENUE_COLUMN in numeric:
        revenue = grouped[REVENUE_COLUMN].sum()
        total = revenue.sum()
        profile["revenue_share"] = revenue / total if total else 0.0
    means = grouped[numeric].mean()
    spread = merged[numeric].std(ddof=0).replace(0, np.nan)
    z_scores = ((means - merged[numeric].mean()) / spread).fillna(0.0)
    pieces = [
        profile,
        means.add_suffix("_mean"),
        grouped[numeric].median().add_suffix("_median"),
        z_scores.add_suffix("_z"),
    ]
    for column in categorical:
        shares = (
            merged.groupby(SEGMENT_COLUMN)[column]
            .value_counts(normalize=True, sort=False)
            .rename("share")
            .reset_index()
            .sort_values(
                [SEGMENT_COLUMN, "share", column], ascending=[True, False, True]
            )
            .drop_duplicates(SEGMENT_COLUMN)
            .set_index(SEGMENT_COLUMN)
        )
        pieces.append(
            pd.DataFrame(
                {
                    f"{column}_mode": shares[column],
                    f"{column}_mode_share": shares["share"],
                }
            )
        )
    return pd.concat(pieces, axis=1).reset_index()


def _mid_rank_scores(values: pd.Series, n_bins: int) -> pd.Series:
    # The mid-rank percentile puts ties on one score, a lone customer or a column
    # of equal values in the middle score, and n distinct values in equal bins.
    percentile = (values.rank(method="average") - 0.5) / len(values)
    return (np.floor(percentile * n_bins) + 1).clip(1, n_bins).astype("int64")


def _match_rfm_rule(recency: int, frequency_monetary: int, rfm: RfmSettings) -> str:
    for rule in rfm.segments:
        if (
            rule.recency[0] <= recency <= rule.recency[1]
            and rule.frequency_monetary[0]
            <= frequency_monetary
            <= rule.frequency_monetary[1]
        ):
            return rule.name
    return rfm.unmatched_name


def score_rfm(customer_features: pd.DataFrame, rfm: RfmSettings) -> pd.DataFrame:
    """Gives every customer R, F and M scores and a named RFM segment.

    Scores run from 1 to ``n_bins`` (5 = quintiles), higher is better: recent,
    frequent, big spenders score high. A customer's score is
    ``floor(n_bins * (mid_rank - 0.5) / n_customers) + 1`` where ``mid_rank`` is the
    average rank of its value, so equal values share a score, a single customer or
    all-equal values get the middle score, and distinct values fill equal bins.
    Recency is ranked in reverse (fewest days scores highest). The combined
    ``frequency_monetary_score`` is the mean of F and M rounded half up. The RFM
    segment is the first rule of ``rfm.segments`` whose ranges hold
    (R, FM).

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
    columns = {
        "recency_score": rfm.recency_column,
        "frequency_score": rfm.frequency_column,
        "monetary_score": rfm.monetary_column,
    }
    missing = [column for column in columns.values() if column not in customer_features]
    result = pd.DataFrame({ID_COLUMN: customer_features[ID_COLUMN].to_numpy()})
    if missing:
        logger.warning(
            "customer_features has no %s column(s): RFM scores are left empty and "
            "segments are named from their strongest traits only",
            missing,
        )
        empty_scores = pd.array([pd.NA] * len(result), dtype="Int64")
        return result.assign(
            **{name: empty_scores for name in columns},
            frequency_monetary_score=empty_scores,
            rfm_score=pd.array([pd.NA] * len(result), dtype="string"),
            rfm_segment=pd.array([pd.NA] * len(result), dtype="string"),
        )
    for score_name, column in columns.items():
        values = customer_features[column]
        if values.isna().any():
            raise ValueError(
                f"customer_features: column {column!r} has {int(values.isna().sum())} "
                "missing value(s); RFM scores need a value for every customer"
            )
        scores = _mid_rank_scores(values, rfm.n_bins)
        if score_name == "recency_score":
            scores = rfm.n_bins + 1 - scores
        result[score_name] = scores.to_numpy()
    frequency_monetary = np.floor(
        (result["frequency_score"] + result["monetary_score"]) / 2 + 0.5
    ).astype("int64")
    rfm_segment = [
        _match_rfm_rule(recency, fm, rfm)
        for recency, fm in zip(result["recency_score"], frequency_monetary, strict=True)
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


def _numeric_traits(
    profile_row: pd.Series, numeric: list[str], naming: NamingSettings
) -> list[str]:
    candidates = sorted(
        (
            (abs(float(profile_row[f"{column}_z"])), column)
            for column in numeric
            if abs(float(profile_row[f"{column}_z"])) >= naming.min_trait_z
        ),
        reverse=True,
    )
    traits = []
    for _, column in candidates:
        words = naming.trait_words.get(column)
        above = float(profile_row[f"{column}_z"]) > 0
        if words is None:
            label = column.replace("_", " ")
            traits.append(f"{'high' if above else 'low'} {label}")
        else:
            traits.append(words.high if above else words.low)
    return traits


def _categorical_traits(
    members: pd.DataFrame,
    population_shares: dict[str, pd.Series],
    naming: NamingSettings,
) -> list[str]:
    traits = []
    for column, population in population_shares.items():
        shares = members[column].value_counts(normalize=True)
        if shares.empty:
            continue
        level, share = shares.index[0], float(shares.iloc[0])
        lift = share / float(population.get(level, np.nan))
        if share >= naming.min_category_share and lift >= naming.min_category_lift:
            traits.append(f"mostly {column.replace('_', ' ')} {level}")
    return traits


def name_segments(
    segment_profiles: pd.DataFrame,
    customer_segments: pd.DataFrame,
    customer_rfm_scores: pd.DataFrame,
    customer_features: pd.DataFrame,
    naming: NamingSettings,
) -> pd.DataFrame:
    """Names every segment from its dominant RFM segment and strongest traits.

    A name reads ``"<dominant RFM segment>: <trait>, <trait>"``. Traits are the
    numeric features whose segment mean sits furthest from the population (largest
    absolute ``<feature>_z``, at least ``naming.min_trait_z``), then categorical
    levels over-represented in the segment. Without RFM scores the name is the
    traits alone (``"Typical customers"`` when none stands out). Names that would
    repeat get ``" (segment <id>)"`` appended, so names are unique within a run.

    Args:
        segment_profiles: Output of :func:`profile_segments`.
        customer_segments: ``customer_id`` and ``segment_id``.
        customer_rfm_scores: Output of :func:`score_rfm`.
        customer_features: One row per customer (for categorical traits).
        naming: Trait thresholds, words and the action table.

    Returns:
        One row per segment: ``segment_id`` (int), ``segment_name`` (unique),
        ``recommended_action``, ``n_customers``, ``customer_share``,
        ``dominant_rfm_segment``, ``dominant_rfm_share`` and ``traits``
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
    merged = join_segments(customer_features, customer_segments).merge(
        customer_rfm_scores[[ID_COLUMN, "rfm_segment"]], on=ID_COLUMN, how="left"
    )
    numeric = [
        column
        for column in numeric_feature_columns(customer_features)
        if f"{column}_z" in segment_profiles
    ]
    population_shares = {
        column: merged[column].value_counts(normalize=True)
        for column in categorical_feature_columns(customer_features)
    }
    rows = []
    for _, profile_row in segment_profiles.sort_values(SEGMENT_COLUMN).iterrows():
        segment = int(profile_row[SEGMENT_COLUMN])
        members = merged[merged[SEGMENT_COLUMN] == segment]
        traits = _numeric_traits(profile_row, numeric, naming)
        traits += _categorical_traits(members, population_shares, naming)
        traits = traits[: naming.max_traits]
        rfm_counts = members["rfm_segment"].dropna().value_counts()
        dominant = str(rfm_counts.index[0]) if len(rfm_counts) else None
        dominant_share = float(rfm_counts.iloc[0] / len(members)) if dominant else None
        if dominant and traits:
            name = f"{dominant}: {', '.join(traits)}"
        elif dominant:
            name = dominant
        elif traits:
            name = ", ".join(traits)
            name = name[0].upper() + name[1:]
        else:
            name = TYPICAL_NAME
        rows.append(
            {
                SEGMENT_COLUMN: segment,
                "segment_name": name,
                "recommended_action": naming.actions.get(
                    dominant or "", naming.default_action
                ),
                "n_customers": int(profile_row["n_customers"]),
                "customer_share": float(profile_row["customer_share"]),
                "dominant_rfm_segment": dominant,
                "dominant_rfm_share": dominant_share,
                "traits": "; ".join(traits),
            }
        )
    names = pd.DataFrame(rows)
    repeated = names["segment_name"].duplicated(keep=False)
    names.loc[repeated, "segment_name"] = [
        f"{name} (segment {segment})"
        for name, segment in zip(
            names.loc[repeated, "segment_name"],
            names.loc[repeated, SEGMENT_COLUMN],
            strict=True,
        )
    ]
    for row in names.itertuples():
        logger.info("Segment %d: %s", row.segment_id, row.segment_name)
    return names


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


def derive_segment_rules(
    customer_features: pd.DataFrame,
    customer_segments: pd.DataFrame,
    segment_names: pd.DataFrame,
    rules: RulesSettings,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Describes segment membership as if-then rules a CRM can apply.

    Fits a shallow decision tree that predicts the segment from the original
    features (numeric in their own units, missing values set to the median;
    categorical ones with at most ``max_category_levels`` levels as "is / is not"
    tests). Each leaf is one rule: the conditions on its path, tightened to one
    range per feature. Fidelity is the share of customers whose rule gives their
    own segment.

    Args:
        customer_features: One row per customer, with ``customer_id``.
        customer_segments: ``customer_id`` and ``segment_id``.
        segment_names: Output of :func:`name_segments`.
        rules: Depth, smallest leaf and seed of the tree.

    Returns:
        A table with one row per rule (``segment_id``, ``segment_name``, ``rule``,
        ``n_customers``, ``precision`` = share of the rule's customers in that
        segment, ``coverage`` = share of the segment's customers the rule
        catches), ordered by segment then coverage; and a summary with
        ``fidelity``, ``n_rules``, ``max_depth``, ``n_customers`` and ``features``.

    Raises:
        ValueError: If there are no numeric or categorical features to build rules on.
    """
    merged = join_segments(customer_features, customer_segments)
    matrix, indicators = _rule_features(merged.drop(columns=[SEGMENT_COLUMN]), rules)
    if matrix.shape[1] == 0:
        raise ValueError(
            "customer_features: no numeric or categorical column to build rules on; "
            f"columns are {list(customer_features.columns)}"
        )
    target = merged[SEGMENT_COLUMN].to_numpy()
    tree = DecisionTreeClassifier(
        max_depth=rules.max_depth,
        min_samples_leaf=max(1, math.ceil(rules.min_leaf_share * len(matrix))),
        random_state=rules.random_state,
    ).fit(matrix.to_numpy(), target)
    predicted = tree.predict(matrix.to_numpy())
    fidelity = float((predicted == target).mean())
    leaves = tree.apply(matrix.to_numpy())
    integer_columns = {
        column
        for column in numeric_feature_columns(customer_features)
        if pd.api.types.is_integer_dtype(customer_features[column])
    }
    names = segment_names.set_index(SEGMENT_COLUMN)["segment_name"]
    segment_sizes = pd.Series(target).value_counts()
    rows = []
    for leaf, conditions in _leaf_paths(tree, list(matrix.columns)):
        in_leaf = leaves == leaf
        segment = int(tree.classes_[np.argmax(tree.tree_.value[leaf][0])])
        hits = int((target[in_leaf] == segment).sum())
        rows.append(
            {
                SEGMENT_COLUMN: segment,
                "segment_name": names.get(segment, f"segment {segment}"),
                "rule": _describe_conditions(conditions, indicators, integer_columns),
                "n_customers": int(in_leaf.sum()),
                "precision": hits / int(in_leaf.sum()),
                "coverage": hits / int(segment_sizes[segment]),
            }
        )
    table = (
        pd.DataFrame(rows)
        .sort_values([SEGMENT_COLUMN, "coverage"], ascending=[True, False])
        .reset_index(drop=True)
    )
    logger.info(
        "Surrogate rules: %d rules of depth <= %d reproduce %.1f%% of the segment "
        "assignments (fidelity)",
        len(table),
        rules.max_depth,
        100 * fidelity,
    )
    summary = {
        "fidelity": fidelity,
        "n_rules": len(table),
        "max_depth": rules.max_depth,
        "n_customers": len(matrix),
        "features": list(matrix.columns),
    }
    return table, summary


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
        segment_names: Output of :func:`name_segments`.

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
        segment_names: Output of :func:`name_segments`.
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
