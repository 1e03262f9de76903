"""Typed parameters of the customer_value pipeline (parameters_customer_value.yml)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from customer_segmentation.bundle.value_models import (
    BG_NBD_PARAMETERS,
    GAMMA_GAMMA_PARAMETERS,
)

TimeUnit = Literal["days", "weeks", "months"]

# Length of one time unit in days: recency and T are measured in it.
DAYS_PER_UNIT: dict[str, float] = {"days": 1.0, "weeks": 7.0, "months": 365.25 / 12}

__all__ = [
    "BG_NBD_PARAMETERS",
    "DAYS_PER_UNIT",
    "GAMMA_GAMMA_PARAMETERS",
    "CalibrationSettings",
    "CustomerValueSettings",
    "PriorSpec",
    "TimeUnit",
]


class PriorSpec(BaseModel):
    """One prior of a model parameter, as a PyMC distribution name and its arguments.

    Attributes:
        distribution: Name of a PyMC distribution, e.g. ``HalfFlat`` (flat on the
            positive numbers: the fit is then the maximum-likelihood one),
            ``Gamma`` or ``HalfNormal``.
        parameters: Arguments of the distribution, e.g. ``{alpha: 1, beta: 1}``.
    """

    model_config = ConfigDict(extra="forbid")

    distribution: str = "HalfFlat"
    parameters: dict[str, float] = Field(default_factory=dict)


def _flat_priors(names: tuple[str, ...]) -> dict[str, PriorSpec]:
    return {name: PriorSpec() for name in names}


class FitSample(BaseModel):
    """Which customers the value models are fitted on.

    The BG/NBD and Gamma-Gamma likelihoods are sums over customers, so a random
    sample estimates the same parameters; the fit's time grows with the customers
    fitted, the predictions still cover every customer.

    Attributes:
        size: Customers fitted at most: with more, a seeded random sample of this
            many (for Gamma-Gamma, of the repeat customers); ``None`` fits every
            customer.
        random_state: Seed of the sample.
    """

    model_config = ConfigDict(extra="forbid")

    size: int | None = Field(default=100_000, ge=1_000)
    random_state: int = 42


class CustomerValueSettings(BaseModel):
    """How purchases are counted, which priors the models use and what is predicted.

    Attributes:
        time_unit: Unit of recency, T and the fitted rates: ``days``, ``weeks``
            or ``months``. A purchase occasion is a calendar day with a purchase.
        horizon_months: Months ahead the expected purchases and the customer
            lifetime value cover.
        discount_rate: Monthly discount rate of the lifetime value (0.01 = 1% a
            month).
        min_repeat_customers: Fewest customers with a repeat purchase needed to fit
            the models; fewer gives an ``InsufficientRepeatDataWarning`` and no
            value columns.
        alive_threshold: A segment whose mean probability alive is below it is
            "likely lapsed" in its value verdict.
        active_threshold: A segment whose mean probability alive is at least
            this is "active"; between the two it is "still alive" (a high-value
            one is worth a win back).
        bg_nbd_priors: Prior of each BG/NBD parameter (``r``, ``alpha``, ``a``,
            ``b``); flat by default.
        gamma_gamma_priors: Prior of each Gamma-Gamma parameter (``p``, ``q``,
            ``v``, the paper's gamma); flat by default.
        fit_sample: How many customers the models are fitted on (see
            :class:`FitSample`).
    """

    model_config = ConfigDict(extra="forbid")

    time_unit: TimeUnit = "weeks"
    horizon_months: int = Field(default=12, ge=1)
    discount_rate: float = Field(default=0.01, ge=0.0)
    min_repeat_customers: int = Field(default=20, ge=2)
    alive_threshold: float = Field(default=0.5, gt=0.0, lt=1.0)
    active_threshold: float = Field(default=0.9, gt=0.0, le=1.0)

    @model_validator(mode="after")
    def _active_above_alive(self) -> CustomerValueSettings:
        if self.active_threshold <= self.alive_threshold:
            raise ValueError(
                f"customer_value.active_threshold={self.active_threshold} should be "
                f"> customer_value.alive_threshold={self.alive_threshold}"
            )
        return self

    bg_nbd_priors: dict[Literal["r", "alpha", "a", "b"], PriorSpec] = Field(
        default_factory=lambda: _flat_priors(BG_NBD_PARAMETERS)
    )
    gamma_gamma_priors: dict[Literal["p", "q", "v"], PriorSpec] = Field(
        default_factory=lambda: _flat_priors(GAMMA_GAMMA_PARAMETERS)
    )
    fit_sample: FitSample = Field(default_factory=FitSample)


class CalibrationSettings(BaseModel):
    """The holdout check of the purchase model.

    The BG/NBD model is fitted on the purchases up to ``calibration_end`` and its
    predicted repeat purchases after it are compared with the actual ones, per
    number of repeat purchases in the calibration period.

    Attributes:
        calibration_end: Last day of the calibration period (ISO text); ``None``
            uses the reference date minus ``holdout_months``.
        holdout_months: Length of the holdout period when ``calibration_end`` is
            not set.
        max_frequency_bucket: Calibration repeat purchases from this number up
            share one bucket (``7`` gives 0, 1, ..., 6, 7+ as in the paper).
    """

    model_config = ConfigDict(extra="forbid")

    calibration_end: dt.datetime | None = None
    holdout_months: int = Field(default=6, ge=1)
    max_frequency_bucket: int = Field(default=7, ge=1)
