"""Nodes that turn new customers' model input into segment assignments with a status.

:func:`score_model_input` is the one scoring function: the batch pipeline and the
HTTP API both call it, so a customer gets the same answer from either.
"""

from __future__ import annotations

import logging
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from customer_segmentation.bundle import ModelBundle
from customer_segmentation.pipelines.data_processing.settings import InputKind
from customer_segmentation.pipelines.feature_engineering.nodes import select_model_input
from customer_segmentation.pipelines.feature_engineering.settings import (
    FeatureSettings,
    ModelInputChecks,
)
from customer_segmentation.pipelines.modeling.estimator import below_log1p_domain

from .history import check_history_end, check_history_span, enough_history
from .scales import check_feature_scales
from .settings import ScoringSettings

logger = logging.getLogger(__name__)

STATUS_SCORED = "scored"
STATUS_INSUFFICIENT_HISTORY = "insufficient_history"
STATUS_NO_VALID_TRANSACTIONS = "no_valid_transactions"
STATUS_NO_VALID_ATTRIBUTES = "no_valid_attributes"
STATUSES = (
    STATUS_SCORED,
    STATUS_INSUFFICIENT_HISTORY,
    STATUS_NO_VALID_TRANSACTIONS,
    STATUS_NO_VALID_ATTRIBUTES,
)
SCORED_COLUMNS = (
    "customer_id",
    "segment_id",
    "segment_name",
    "recommended_action",
    "distance_to_centre",
    "probability",
    "imputed_features",
    "model_version",
    "status",
)
# Lifetime value columns of customer_value that go with each scored customer.
CUSTOMER_VALUE_COLUMNS = (
    "expected_purchases",
    "probability_alive",
    "expected_spend",
    "clv",
)
_AFTER_PROBABILITY = SCORED_COLUMNS.index("probability") + 1
# Columns of scored_customers: the segment, then the lifetime value, then status.
SCORED_WITH_VALUE_COLUMNS = (
    *SCORED_COLUMNS[:_AFTER_PROBABILITY],
    *CUSTOMER_VALUE_COLUMNS,
    *SCORED_COLUMNS[_AFTER_PROBABILITY:],
)


def select_bundle_model_input(
    customer_features: pd.DataFrame,
    model_bundle: ModelBundle,
    model_input_checks: ModelInputChecks,
) -> pd.DataFrame:
    """Picks the columns the published model was trained on.

    Args:
        customer_features: One row per new customer.
        model_bundle: The published bundle; its feature spec says the columns.
        model_input_checks: Which checks on the chosen columns apply.

    Returns:
        ``customer_id`` and the bundle's feature columns, in its order.

    Raises:
        ValueError: If a column of the feature spec is missing or fails a check.
    """
    return select_model_input(
        customer_features, model_bundle.feature_spec.model_features, model_input_checks
    )


def list_known_customers(
    flagged_transactions: ir.Table, validated_customers: ir.Table
) -> pd.DataFrame:
    """Lists every customer id the new data mentions, before cleaning drops any line.

    Args:
        flagged_transactions: Standardised transaction lines with ``drop_reason``.
        validated_customers: Customer attributes, one row per customer.

    Returns:
        A frame with one ``customer_id`` (string) per distinct non-empty id found in
        the transactions or the attributes, sorted.
    """
    from_lines = flagged_transactions.select("customer_id")
    from_attributes = validated_customers.select("customer_id")
    both = ibis.union(from_lines, from_attributes, distinct=True)
    known = both.filter(both.customer_id.notnull() & (both.customer_id != ""))
    # Through Arrow: Ibis's own conversion to pandas costs more than the query
    # on a small request, and gives the same string column.
    return known.order_by("customer_id").to_pyarrow().to_pandas()


def _check_feature_columns(model: Any, features: pd.DataFrame) -> None:
    expected = [str(name) for name in model.feature_names_in_]
    if list(features.columns) != expected:
        raise ValueError(
            f"model_input: columns {list(features.columns)} differ from the features "
            f"the model was trained on {expected}; score with the model_features the "
            "model was trained with"
        )


def _finite_or_null(values: np.ndarray) -> pd.arrays.FloatingArray:
    values = np.asarray(values, dtype="float64")
    finite = np.isfinite(values)
    return pd.arrays.FloatingArray(np.where(finite, values, 0.0), mask=~finite)


def _unusable_values_as_missing(
    segmentation_model: Any, features: pd.DataFrame
) -> pd.DataFrame:
    # A value the model cannot use is made missing, so that imputed_features
    # says so: a category level it was not trained on (encoded as no level at
    # all, as a missing value is), and a negative value of a log1p feature
    # (clipped to 0, as if the customer had none). Training refuses the latter.
    unusable = {}
    for column, levels in segmentation_model.category_levels.items():
        values = features[column]
        unknown = values.notna() & ~values.isin(levels)
        unusable[column] = (unknown, f"it knows {levels.tolist()}")
    for column in segmentation_model.logged_features:
        unusable[column] = (
            below_log1p_domain(features[column]),
            "log1p needs values >= 0",
        )
    for column, (mask, rule) in unusable.items():
        if mask.any():
            values = features[column]
            logger.warning(
                "model_input: %d customer(s) have a %s the model cannot use "
                "(e.g. %s; %s); scored as missing and listed in imputed_features",
                int(mask.sum()),
                column,
                values[mask].drop_duplicates().head(3).tolist(),
                rule,
            )
            features[column] = values.mask(mask)
    return features


def _imputed_features(features: pd.DataFrame) -> list[list[str]]:
    names = np.asarray([str(name) for name in features.columns], dtype=object)
    missing = features.isna().to_numpy()
    imputed: list[list[str]] = [[] for _ in range(len(features))]
    for row in np.flatnonzero(missing.any(axis=1)):
        imputed[row] = names[missing[row]].tolist()
    return imputed


def _segment_text(
    segment_ids: np.ndarray, segment_names: dict[int, dict[str, Any]], column: str
) -> pd.arrays.StringArray:
    by_segment = {
        int(segment): row.get(column) for segment, row in segment_names.items()
    }
    return pd.array(pd.Series(segment_ids).map(by_segment).to_numpy(), dtype="string")


def score_model_input(
    segmentation_model: Any,
    model_input: pd.DataFrame,
    segment_names: dict[int, dict[str, Any]],
    model_version: str,
) -> pd.DataFrame:
    """Assigns segments to customers whose features are known.

    Args:
        segmentation_model: Fitted ``SegmentationModel`` (``assign`` and
            ``feature_names_in_``).
        model_input: ``customer_id`` followed by the model's feature columns, in
            the order the model was trained on.
        segment_names: Segment id -> ``{"segment_name": ..., ...}``
            (``SegmentTable.by_id`` of the bundle).
        model_version: Version of the model, copied to every row.

    Returns:
        One row per customer with the columns of ``SCORED_COLUMNS``; ``status`` is
        ``scored``. ``imputed_features`` lists the features that were missing,
        had a category level the model was not trained on, or a negative value
        where the model takes ``log1p``, and that the model imputed (empty
        when none). ``probability`` is the probability of the assigned segment, or
        null when the model has no ``predict_proba``; ``segment_name`` and
        ``recommended_action`` are null (with a warning) for a segment without a
        row in ``segment_names``.

    Raises:
        ValueError: If the feature columns differ from the model's.
    """
    features = model_input.drop(columns="customer_id")
    _check_feature_columns(segmentation_model, features)
    features = _unusable_values_as_missing(segmentation_model, features)
    n_customers = len(features)
    if n_customers == 0:
        segment_ids = np.empty(0, dtype=np.int64)
        distances = _finite_or_null(np.empty(0))
        probabilities = distances
    else:
        assignment = segmentation_model.assign(features)
        segment_ids = np.asarray(assignment.segment_ids, dtype=np.int64)
        distances = _finite_or_null(assignment.distances)
        probabilities = _finite_or_null(
            np.full(n_customers, np.nan)
            if assignment.probabilities is None
            else assignment.probabilities[np.arange(n_customers), segment_ids]
        )
    unnamed = sorted(set(segment_ids.tolist()) - set(segment_names))
    if unnamed:
        logger.warning(
            "segment_names: no row for segment id(s) %s; their segment_name is null",
            unnamed,
        )
    return pd.DataFrame(
        {
            "customer_id": model_input["customer_id"].astype(str).to_numpy(),
            "segment_id": pd.array(segment_ids, dtype="Int64"),
            **{
                column: _segment_text(segment_ids, segment_names, column)
                for column in ("segment_name", "recommended_action")
            },
            "distance_to_centre": distances,
            "probability": probabilities,
            "imputed_features": _imputed_features(features),
            "model_version": model_version,
            "status": STATUS_SCORED,
        },
        columns=list(SCORED_COLUMNS),
    )


def unscored_customers(
    customer_ids: list[str], status: str, model_version: str
) -> pd.DataFrame:
    """Builds the rows of customers that get a status but no segment.

    Args:
        customer_ids: Ids of the customers.
        status: One of ``STATUSES`` other than ``scored``.
        model_version: Version of the model, copied to every row.

    Returns:
        One row per customer with the columns of ``SCORED_COLUMNS``; segment,
        name, action, distance and probability are null.

    Raises:
        ValueError: If ``status`` is not a known status.
    """
    if status not in STATUSES or status == STATUS_SCORED:
        raise ValueError(
            f"status={status!r} should be one of {list(STATUSES[1:])} for an "
            "unscored customer"
        )
    n_customers = len(customer_ids)
    return pd.DataFrame(
        {
            "customer_id": pd.array(customer_ids, dtype=object).astype(str),
            "segment_id": pd.array([None] * n_customers, dtype="Int64"),
            "segment_name": pd.array([None] * n_customers, dtype="string"),
            "recommended_action": pd.array([None] * n_customers, dtype="string"),
            "distance_to_centre": pd.array([None] * n_customers, dtype="Float64"),
            "probability": pd.array([None] * n_customers, dtype="Float64"),
            "imputed_features": [[] for _ in range(n_customers)],
            "model_version": model_version,
            "status": status,
        },
        columns=list(SCORED_COLUMNS),
    )


def score_given_features(
    model_bundle: ModelBundle, model_input: pd.DataFrame, scoring: ScoringSettings
) -> pd.DataFrame:
    """Scores customers whose feature values were given rather than computed.

    Args:
        model_bundle: The published bundle: model, segment names and version.
        model_input: ``customer_id`` and the model's feature columns.
        scoring: ``scale_check_min_customers`` (see ``check_feature_scales``).

    Returns:
        One row per customer, in input order, with the columns of
        ``SCORED_WITH_VALUE_COLUMNS``; the lifetime value is null (features
        carry no purchase history).

    Raises:
        InputValidationError: If a feature's median over enough customers lies
            outside the training's range.
    """
    check_feature_scales(
        model_input, model_bundle.feature_spec, scoring.scale_check_min_customers
    )
    scored = score_model_input(
        model_bundle.segmentation_model,
        model_input,
        model_bundle.segments.by_id(),
        str(model_bundle.version),
    )
    no_value = pd.array([None] * len(scored), dtype="Float64")
    return scored.assign(**dict.fromkeys(CUSTOMER_VALUE_COLUMNS, no_value))[
        list(SCORED_WITH_VALUE_COLUMNS)
    ]


def _score_in_batches(
    model_bundle: ModelBundle, model_input: pd.DataFrame, batch_customers: int
) -> pd.DataFrame:
    names = model_bundle.segments.by_id()
    version = str(model_bundle.version)
    starts = range(0, len(model_input), batch_customers) or range(1)
    batches = [
        score_model_input(
            model_bundle.segmentation_model,
            model_input.iloc[start : start + batch_customers],
            names,
            version,
        )
        for start in starts
    ]
    # One batch (any small input) is already the answer: no concatenated copy.
    return batches[0] if len(batches) == 1 else pd.concat(batches, ignore_index=True)


def score_customers(
    model_bundle: ModelBundle,
    model_input: pd.DataFrame,
    *,
    customer_features: pd.DataFrame,
    known_customers: pd.DataFrame,
    scoring: ScoringSettings,
    input_kind: InputKind,
    reference_date: pd.Timestamp,
    feature_settings: FeatureSettings,
) -> pd.DataFrame:
    """Scores every known customer, or says why a customer has no segment.

    Args:
        model_bundle: The published bundle: model, segment names and version.
        model_input: ``customer_id`` and the model's feature columns, one row per
            customer with at least one clean purchase.
        customer_features: ``customer_id`` and, with purchases, ``frequency``
            (distinct clean invoices) and ``tenure_days``, one row per customer
            of ``model_input``.
        known_customers: ``customer_id`` of every customer the new data mentions.
        scoring: The minimum history rule, and how many customers the model
            assigns at a time.
        input_kind: ``attributes`` has no purchase history: the minimum history
            rule does not apply, and a customer without model input had its
            attribute row dropped by cleaning.
        reference_date: The new data's resolved reference date.
        feature_settings: The new data's feature settings: whether a reference
            date was set (see ``check_history_end``).

    Returns:
        One row per known customer, ordered by ``customer_id``, with the columns of
        ``SCORED_COLUMNS``. ``status`` is ``scored``, ``insufficient_history``
        (fewer than ``min_invoices`` clean invoices), ``no_valid_transactions``
        (the id appears in the data but cleaning dropped all its lines, or it has
        attributes and no transaction at all) or, for ``attributes`` data,
        ``no_valid_attributes`` (cleaning dropped its attribute row).
        ``model_version`` is the bundle's.

    Raises:
        InputValidationError: If the new lines reach back less than
            ``min_history_share`` of the training's history, end before its
            last day without a reference date (``check_history_end``), or a
            feature's median lies outside the training's range
            (``check_feature_scales``).
        ValueError: If a customer of ``model_input`` has no row in
            ``customer_features``.
    """
    model_version = str(model_bundle.version)
    # The end first: a reference date taken from an export that stops early
    # also shortens every tenure, which the span rule would report instead.
    check_history_end(reference_date, feature_settings, model_bundle)
    check_history_span(customer_features, model_bundle, scoring.min_history_share)
    check_feature_scales(
        model_input, model_bundle.feature_spec, scoring.scale_check_min_customers
    )
    enough = enough_history(model_input, customer_features, scoring, input_kind)
    scored = _score_in_batches(
        model_bundle,
        model_input[enough] if not enough.all() else model_input,
        scoring.batch_customers,
    )
    too_short_ids = model_input["customer_id"][~enough].astype(str).tolist()
    known = pa.array(known_customers["customer_id"].astype(str), type=pa.string())
    with_features = pa.array(model_input["customer_id"].astype(str), type=pa.string())
    without = known.filter(pc.invert(pc.is_in(known, value_set=with_features)))
    no_lines_ids = sorted(set(without.to_pylist()))
    # Only the statuses some customer has get rows (an empty part adds nothing).
    parts = [scored] if len(scored) else []
    for ids, status in (
        (too_short_ids, STATUS_INSUFFICIENT_HISTORY),
        (
            no_lines_ids,
            STATUS_NO_VALID_ATTRIBUTES
            if input_kind == "attributes"
            else STATUS_NO_VALID_TRANSACTIONS,
        ),
    ):
        if ids:
            parts.append(unscored_customers(ids, status, model_version))
    result = (
        pd.concat(parts, ignore_index=True)
        if len(parts) > 1
        else (parts or [scored])[0]
    )
    logger.info(
        "Scored %d customers; %d with insufficient history, %d without valid "
        "transactions (model bundle %s)",
        len(scored),
        len(too_short_ids),
        len(no_lines_ids),
        model_version,
    )
    return result.sort_values("customer_id", ignore_index=True)
