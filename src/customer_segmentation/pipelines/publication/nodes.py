"""Nodes that describe a trained model's inputs and training, and assemble its bundle."""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from customer_segmentation.bundle import (
    CustomerValueModels,
    FeatureDescription,
    FeatureSpec,
    ModelBundle,
    ObservedValues,
    SegmentDescription,
    SegmentRule,
    SegmentRules,
    SegmentTable,
    TrainingFingerprint,
    check_bundle,
)
from customer_segmentation.pipelines.data_processing.settings import (
    CustomerCleaningRules,
)
from customer_segmentation.pipelines.feature_engineering.domains import feature_domain
from customer_segmentation.pipelines.modeling.estimator import SegmentationModel
from customer_segmentation.pipelines.modeling.settings import (
    ModelFeatures,
    PreprocessingSettings,
)

from .settings import PublicationSettings


def _transforms(
    name: str, kind: str, preprocessing: PreprocessingSettings
) -> list[str]:
    if kind == "categorical":
        return ["impute_missing", "one_hot"]
    if kind == "ordering":
        return []
    steps = ["impute_median"]
    if name in preprocessing.log_transform:
        steps.append("log1p")
    if preprocessing.scale:
        steps.append("standardise")
    return steps


def _observed(values: pd.Series) -> ObservedValues | None:
    low, median, high = values.astype("float64").quantile([0.01, 0.5, 0.99])
    if math.isnan(median):
        return None
    return ObservedValues(low=low, median=median, high=high)


def describe_features(
    model_features: ModelFeatures,
    model_preprocessing: PreprocessingSettings,
    customer_cleaning_rules: CustomerCleaningRules,
    model_input: pd.DataFrame,
) -> FeatureSpec:
    """Lists the model input columns, their kinds, transforms, domains and observed values.

    Args:
        model_features: Numeric and categorical features and the ordering column.
        model_preprocessing: Log transform, scaling and PCA settings.
        customer_cleaning_rules: The attribute bounds, the domain of numeric
            attribute features (see ``feature_domain``).
        model_input: The training's model input: the percentiles of each
            numeric and ordering column (see ``ObservedValues``).

    Returns:
        The feature spec, columns in the order ``select_model_input`` gives them.
    """
    names = dict.fromkeys(
        [
            *model_features.numeric,
            *model_features.categorical,
            model_features.order_segments_by,
        ]
    )
    kinds = {name: "ordering" for name in names}
    kinds |= dict.fromkeys(model_features.categorical, "categorical")
    kinds |= dict.fromkeys(model_features.numeric, "numeric")

    def describe(name: str) -> FeatureDescription:
        kind = kinds[name]
        transforms = _transforms(name, kind, model_preprocessing)
        if kind == "categorical":
            return FeatureDescription(name=name, kind=kind, transforms=transforms)
        return FeatureDescription(
            name=name,
            kind=kind,
            transforms=transforms,
            domain=feature_domain(
                name,
                customer_cleaning_rules,
                logged=name in model_preprocessing.log_transform,
            ),
            observed=_observed(model_input[name]),
        )

    return FeatureSpec(
        features=[describe(name) for name in names],
        order_segments_by=model_features.order_segments_by,
        pca_components=model_preprocessing.pca_components,
    )


def summarise_purchase_dates(customer_orders: ir.Table) -> dict[str, Any]:
    """Finds the first and last clean purchase of the training data.

    Args:
        customer_orders: The clean lines summed per order
            (``aggregate_customer_orders``), with the time of each order's first
            and last line.

    Returns:
        ``{"first_purchase": ..., "last_purchase": ...}`` as ISO 8601 text; both
        ``None`` when there is no clean line (attribute-only data).
    """
    dates = customer_orders.aggregate(
        first_purchase=customer_orders.first_line_at.min(),
        last_purchase=customer_orders.last_line_at.max(),
    ).to_pandas()
    return {
        column: _iso_or_none(dates[column].iloc[0])
        for column in ("first_purchase", "last_purchase")
    }


def _iso_or_none(moment: Any) -> str | None:
    return (
        None if moment is None or pd.isna(moment) else pd.Timestamp(moment).isoformat()
    )


def hash_parameters(parameters: dict[str, Any]) -> str:
    """SHA-256 of the parameters as sorted JSON (values JSON cannot hold as text).

    Args:
        parameters: Every parameter of the run.

    Returns:
        The hex digest.
    """
    text = json.dumps(parameters, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _chosen_metrics(model_selection: pd.DataFrame) -> tuple[pd.Series, dict]:
    chosen = model_selection[model_selection["chosen"].astype(bool)]
    if len(chosen) != 1:
        raise ValueError(
            f"model_selection: {len(chosen)} rows have chosen=True; exactly one should"
        )
    row = chosen.iloc[0]
    metrics = {
        str(column): None if not math.isfinite(float(value)) else float(value)
        for column, value in row.items()
        if column not in {"k", "chosen", "eligible"}
        and not str(column).endswith("_seconds")
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    }
    return row, metrics


def fingerprint_training_run(  # noqa: PLR0913, PLR0917 - Kedro passes node inputs by position
    data_quality_report: dict[str, Any],
    model_input: pd.DataFrame,
    purchase_dates: dict[str, Any],
    reference_date: Any,
    model_selection: pd.DataFrame,
    parameters: dict[str, Any],
    publication: PublicationSettings,
) -> TrainingFingerprint:
    """Records what the model was trained on.

    Args:
        data_quality_report: ``rows_in`` of the raw inputs.
        model_input: One row per training customer.
        purchase_dates: Output of :func:`summarise_purchase_dates`.
        reference_date: Date recency was measured at (``NaT`` or ``None`` when
            there is none).
        model_selection: Candidates, exactly one with ``chosen``.
        parameters: Every parameter of the run.
        publication: The environment.

    Returns:
        The training fingerprint.

    Raises:
        ValueError: If ``model_selection`` does not have exactly one chosen row.
    """
    row, metrics = _chosen_metrics(model_selection)
    return TrainingFingerprint(
        environment=publication.environment,
        rows_in=int(data_quality_report["rows_in"]),
        customers_in=len(model_input),
        first_purchase=purchase_dates["first_purchase"],
        last_purchase=purchase_dates["last_purchase"],
        reference_date=_iso_or_none(reference_date),
        parameters_sha256=hash_parameters(parameters),
        algorithm=str(row["algorithm"]),
        n_segments=int(row["k"]),
        metrics=metrics,
    )


def assemble_model_bundle(  # noqa: PLR0913, PLR0917 - Kedro passes node inputs by position
    segmentation_model: SegmentationModel,
    feature_spec: FeatureSpec,
    segment_names: pd.DataFrame,
    segment_rules: pd.DataFrame,
    segment_rules_summary: dict[str, Any],
    training_fingerprint: TrainingFingerprint,
    customer_value_models: CustomerValueModels,
) -> ModelBundle:
    """Puts the model, its names, rules, fingerprint and value models into one checked bundle.

    Args:
        segmentation_model: The fitted model.
        feature_spec: Output of :func:`describe_features`.
        segment_names: ``segment_id``, ``segment_name``, ``recommended_action``.
        segment_rules: One row per rule (``derive_segment_rules``).
        segment_rules_summary: Fidelity and size of the rule tree.
        training_fingerprint: Output of :func:`fingerprint_training_run`.
        customer_value_models: The fitted value models, or why there are none
            (``fit_customer_value_models``).

    Returns:
        The bundle (no version until it is published).

    Raises:
        BundleMismatchError: If the parts disagree (e.g. names for another k).
    """
    segments = SegmentTable(
        segments=[
            SegmentDescription(
                segment_id=int(row["segment_id"]),
                segment_name=str(row["segment_name"]),
                recommended_action=None
                if pd.isna(row["recommended_action"])
                else str(row["recommended_action"]),
            )
            for row in segment_names.to_dict("records")
        ]
    )
    rules = SegmentRules(
        rules=[
            SegmentRule.model_validate(record)
            for record in segment_rules[list(SegmentRule.model_fields)].to_dict(
                "records"
            )
        ],
        summary=json.loads(json.dumps(segment_rules_summary, default=str)),
    )
    return check_bundle(
        ModelBundle(
            segmentation_model=segmentation_model,
            feature_spec=feature_spec,
            segments=segments,
            segment_rules=rules,
            fingerprint=training_fingerprint,
            customer_value_models=customer_value_models,
        )
    )
