"""The customer-value part of a bundle: fitted BG/NBD and Gamma-Gamma parameters, or why there are none."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

ValueModelStatus = Literal[
    "fitted", "insufficient_repeat_data", "skipped", "not_in_bundle"
]
BG_NBD_PARAMETERS = ("r", "alpha", "a", "b")
GAMMA_GAMMA_PARAMETERS = ("p", "q", "v")

# Why a bundle holds no value model, for the log of whoever scores with it.
NO_VALUE_MODEL_REASONS = {
    "insufficient_repeat_data": "too few customers of the training data bought "
    "more than once to fit the value models",
    "skipped": "the training data had no purchases (customer attributes only)",
    "not_in_bundle": "the bundle was published before bundles held value models; "
    "retrain to add them",
}


class FittedValueModel(BaseModel):
    """One fitted model: its parameter values and how well they fit.

    Attributes:
        parameters: Parameter name -> value (``r``, ``alpha``, ``a``, ``b`` for
            BG/NBD; ``p``, ``q``, ``v`` for Gamma-Gamma).
        log_likelihood: Log-likelihood of the training customers at those values.
        n_customers: Customers the model was fitted on.
        frequency_spend_correlation: Gamma-Gamma only: correlation of repeat
            purchases and mean spend (the model assumes it is near 0).
    """

    model_config = ConfigDict(extra="forbid")

    parameters: dict[str, float]
    log_likelihood: float
    n_customers: int
    frequency_spend_correlation: float | None = None


class CustomerValueModels(BaseModel):
    """The value models a training run fitted, or the reason it fitted none.

    Attributes:
        status: ``fitted``; ``insufficient_repeat_data`` or ``skipped``
            (attribute-only data) when training fitted none; ``not_in_bundle``
            for a bundle published before bundles held this part.
        time_unit: Unit of recency, T and the fitted rates (``days``, ``weeks``
            or ``months``); ``None`` when not in the bundle.
        reference_date: End of the training observation period (ISO text).
        n_customers: Customers of the training summary.
        bg_nbd: The purchase model, when fitted.
        gamma_gamma: The spend model, when fitted.
    """

    model_config = ConfigDict(extra="forbid")

    status: ValueModelStatus
    time_unit: Literal["days", "weeks", "months"] | None = None
    reference_date: str | None = None
    n_customers: int = 0
    bg_nbd: FittedValueModel | None = None
    gamma_gamma: FittedValueModel | None = None

    @model_validator(mode="after")
    def _fitted_has_both_models(self) -> CustomerValueModels:
        if self.status != "fitted":
            return self
        for name, model, expected in (
            ("bg_nbd", self.bg_nbd, BG_NBD_PARAMETERS),
            ("gamma_gamma", self.gamma_gamma, GAMMA_GAMMA_PARAMETERS),
        ):
            if model is None or sorted(model.parameters) != sorted(expected):
                found = None if model is None else sorted(model.parameters)
                raise ValueError(
                    f"customer_value_models: status='fitted' needs {name} with "
                    f"parameters {sorted(expected)}, got {found}"
                )
        if self.time_unit is None:
            raise ValueError("customer_value_models: status='fitted' needs a time_unit")
        return self

    @property
    def fitted(self) -> bool:
        """Whether customers can be valued with these models."""
        return self.status == "fitted"

    @property
    def reason(self) -> str:
        """Why there is no value model (empty when fitted)."""
        return "" if self.fitted else NO_VALUE_MODEL_REASONS[self.status]


NOT_IN_BUNDLE = CustomerValueModels(status="not_in_bundle")
