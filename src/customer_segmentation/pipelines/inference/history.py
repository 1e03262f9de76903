"""What history new customers need before the model scores them.

Two rules: each customer needs ``min_invoices`` clean invoices (else the status
``insufficient_history``), and the new lines as a whole must reach back about as
far as the training's (else a named error): the features count only the lines
given, so an export of recent lines alone would make every customer look newer
and less active than the customers the model was fitted on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from customer_segmentation.bundle import ModelBundle
from customer_segmentation.pipelines.data_processing.errors import (
    InputValidationError,
)
from customer_segmentation.pipelines.data_processing.settings import InputKind

from .settings import ScoringSettings


def enough_history(
    model_input: pd.DataFrame,
    customer_features: pd.DataFrame,
    scoring: ScoringSettings,
    input_kind: InputKind,
) -> np.ndarray:
    """Which customers of ``model_input`` have ``scoring.min_invoices`` clean invoices.

    Args:
        model_input: ``customer_id`` and the model's columns.
        customer_features: ``customer_id`` and, with purchases, ``frequency``.
        scoring: The minimum history rule.
        input_kind: ``attributes`` has no purchases: every customer qualifies.

    Returns:
        A boolean array, one value per row of ``model_input``.

    Raises:
        ValueError: If a customer of ``model_input`` has no ``frequency``.
    """
    if input_kind == "attributes":  # no purchases: nothing to count
        return np.ones(len(model_input), dtype=bool)
    counts = customer_features.set_index("customer_id")["frequency"]
    frequency = model_input["customer_id"].map(counts)
    if frequency.isna().any():
        missing = model_input["customer_id"][frequency.isna()].head(3).tolist()
        raise ValueError(
            f"customer_features: no 'frequency' for customer_id(s) {missing} of "
            "model_input"
        )
    return (frequency >= scoring.min_invoices).to_numpy()


def check_history_span(
    customer_features: pd.DataFrame,
    model_bundle: ModelBundle,
    min_history_share: float,
) -> None:
    """Stops when the new lines reach back much less far than the training's.

    Args:
        customer_features: One row per customer; with purchases, ``tenure_days``
            (days from the customer's first clean line to the reference date).
        model_bundle: Its fingerprint holds the training's first purchase and
            reference date.
        min_history_share: Smallest share of the training's history the
            longest tenure must reach; 0 turns the rule off.

    Raises:
        InputValidationError: If the rule is broken.
    """
    fingerprint = model_bundle.fingerprint
    if (
        min_history_share == 0
        or fingerprint.first_purchase is None
        or fingerprint.reference_date is None
        or "tenure_days" not in customer_features
        or customer_features.empty
    ):
        return
    first, reference = fingerprint.first_purchase, fingerprint.reference_date
    trained = (pd.Timestamp(reference) - pd.Timestamp(first)) / pd.Timedelta(days=1)
    given = float(customer_features["tenure_days"].max())
    if given < min_history_share * trained:
        raise InputValidationError(
            f"inference.customer_features: column 'tenure_days' reaches back at "
            f"most {given:g} days, the model's training lines {trained:.0f} days "
            f"({first[:10]} to {reference[:10]}): features count only the lines "
            "given, so customers with part of their history look newer and less "
            "active than the model's customers (rule: history at least "
            f"{min_history_share:g} of the training's, "
            "inference.scoring.min_history_share); give each customer's whole "
            "history, or set min_history_share to 0 to score anyway"
        )
