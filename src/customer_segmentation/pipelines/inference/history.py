"""What history new customers need before the model scores them.

Three rules: each customer needs ``min_invoices`` clean invoices (else the status
``insufficient_history``); the new lines as a whole must reach back about as far
as the training's (else a named error): the features count only the lines given,
so an export of recent lines alone would make every customer look newer and less
active than the customers the model was fitted on; and without a reference date,
they must reach forward to the training's last day (else a named error): recency
would be measured from the export's own last line, which for an export of some
customers only (those who stopped buying) is long before the export was taken.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from customer_segmentation.bundle import ModelBundle
from customer_segmentation.pipelines.data_processing.errors import (
    InputValidationError,
)
from customer_segmentation.pipelines.data_processing.settings import InputKind
from customer_segmentation.pipelines.feature_engineering.nodes import (
    DEFAULT_REFERENCE_OFFSET,
)
from customer_segmentation.pipelines.feature_engineering.settings import (
    FeatureSettings,
)

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


def check_history_end(
    reference_date: pd.Timestamp,
    feature_settings: FeatureSettings,
    model_bundle: ModelBundle,
) -> None:
    """Stops when no reference date is set and the new lines end before the training's.

    Args:
        reference_date: The resolved reference date of the new data (its last
            clean line plus one day when none is set; ``NaT`` without lines).
        feature_settings: ``reference_date`` as set for the new data (``None``:
            taken from its last clean line).
        model_bundle: Its fingerprint holds the training's last purchase.

    Raises:
        InputValidationError: If ``feature_settings.reference_date`` is not set
            and the new lines' last day is before the training's last day.
    """
    trained = model_bundle.fingerprint.last_purchase
    if feature_settings.reference_date is not None or trained is None:
        return
    if pd.isna(reference_date):
        return
    last = (pd.Timestamp(reference_date) - DEFAULT_REFERENCE_OFFSET).date()
    trained_last = pd.Timestamp(trained).date()
    if last >= trained_last:
        return
    raise InputValidationError(
        f"inference.clean_transactions: column 'invoice_date' has its last clean "
        f"line on {last}, before the training's last purchase on {trained_last}, "
        "and no reference date is set (rule: without "
        "inference.feature_settings.reference_date, the new lines reach the "
        "training's last day); recency would be measured from this export's own "
        "last line, so customers who stopped buying would look recent (an export "
        "of some customers only, or an old one): set "
        "inference.feature_settings.reference_date to the date the export was taken"
    )
