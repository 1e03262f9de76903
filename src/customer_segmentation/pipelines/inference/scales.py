"""Whether a batch's features are on the training's scale: each median within the training's range.

A new export in another unit or currency (prices in cents where the model's were
in units, incomes in thousands) goes through every rule: its values are valid
numbers. The model then puts most customers in its top or bottom segments, and
nothing says so. What gives it away is where the batch's median customer lies
in the training's customers: a unit 100 times smaller moves it past the
training's 99th percentile, which a batch of ordinary customers does not reach.
"""

from __future__ import annotations

import pandas as pd

from customer_segmentation.bundle import FeatureSpec
from customer_segmentation.pipelines.data_processing.errors import (
    InputValidationError,
)


def check_feature_scales(
    model_input: pd.DataFrame, feature_spec: FeatureSpec, min_customers: int | None
) -> None:
    """Stops when a feature's median over the batch lies outside the training's 1st to 99th percentiles.

    Args:
        model_input: ``customer_id`` and the model's feature columns of the
            customers to score.
        feature_spec: The bundle's feature spec; a column without observed
            values (categorical, or an older bundle) is not checked.
        min_customers: Batches with fewer customers are not checked (the
            median of a few customers says little); ``None``: not checked.

    Raises:
        InputValidationError: Naming the first column whose median is outside,
            its median, the training's percentiles and the way out.
    """
    if min_customers is None or len(model_input) < min_customers:
        return
    for feature in feature_spec.features:
        observed = feature.observed
        if observed is None or feature.name not in model_input:
            continue
        median = float(model_input[feature.name].astype("float64").median())
        if observed.low <= median <= observed.high or pd.isna(median):
            continue
        side, bound = (
            ("above", f"99th percentile {observed.high:,.6g}")
            if median > observed.high
            else ("below", f"1st percentile {observed.low:,.6g}")
        )
        ratio = (
            f"; {median / observed.median:,.3g} times the training's median "
            f"{observed.median:,.6g}"
            if observed.median
            else ""
        )
        raise InputValidationError(
            f"inference.model_input: column '{feature.name}' has a median of "
            f"{median:,.6g} over {len(model_input)} customers, {side} the "
            f"training's {bound}{ratio} (rule: a batch's median lies within the "
            "training's 1st to 99th percentiles, "
            "inference.scoring.scale_check_min_customers); values in another "
            "unit or currency (cents for units, thousands) put most customers "
            "in one segment: fix the export or its schema, or set "
            "scale_check_min_customers to null if the batch is a selection of "
            "unusual customers"
        )
