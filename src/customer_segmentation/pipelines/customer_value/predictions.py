"""BG/NBD and Gamma-Gamma predictions in closed form, in numpy, from fitted parameters.

The one definition of each prediction: training, batch scoring and the HTTP API
value customers with these functions, and the tests check them against
pymc-marketing's own (``BetaGeoModel``, ``GammaGammaModel``,
``customer_lifetime_value``). They need neither pymc nor pytensor.

Notation of Fader, Hardie and Lee (2005): ``x`` repeat purchases (frequency),
``t_x`` recency, ``T`` age, all in the models' time unit.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.special import expit, hyp2f1


def _arrays(*values: object) -> list[np.ndarray]:
    return [np.asarray(value, dtype="float64") for value in values]


def probability_alive(
    bg_nbd: Mapping[str, float], frequency: object, recency: object, age: object
) -> np.ndarray:
    """Probability that each customer has not dropped out by the end of the period.

    A customer without a repeat purchase is alive (BG/NBD lets customers drop
    out only right after a purchase).

    Args:
        bg_nbd: Fitted ``r``, ``alpha``, ``a``, ``b``.
        frequency: Repeat purchases ``x``, one per customer.
        recency: Time of the last purchase ``t_x``.
        age: Time since the first purchase ``T``.

    Returns:
        Float array of shape ``(n_customers,)`` in ``(0, 1]``.
    """
    x, t_x, big_t = _arrays(frequency, recency, age)
    r, alpha, a, b = (bg_nbd[name] for name in ("r", "alpha", "a", "b"))
    # In logs, so that a large x cannot overflow the power.
    log_odds_dropped = (r + x) * np.log((alpha + big_t) / (alpha + t_x)) + np.log(
        a / (b + np.maximum(x, 1.0) - 1.0)
    )
    return np.where(x == 0, 1.0, expit(-log_odds_dropped))


def _purchases_if_alive(
    bg_nbd: Mapping[str, float], x: np.ndarray, big_t: np.ndarray, t: np.ndarray
) -> np.ndarray:
    r, alpha, a, b = (bg_nbd[name] for name in ("r", "alpha", "a", "b"))
    return (
        (a + b + x - 1.0)
        / (a - 1.0)
        * (
            1.0
            - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x)
            * hyp2f1(r + x, b + x, a + b + x - 1.0, t / (alpha + big_t + t))
        )
    )


def _distinct(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    # The Gauss hypergeometric function is the cost, and it depends on x, T and
    # t only: far fewer distinct combinations than customers (whole purchase
    # counts, ages in whole days), so each is computed once. Hashing column by
    # column is linear; numpy's unique over rows sorts and is many times slower.
    arrays = [np.ascontiguousarray(a) for a in np.broadcast_arrays(*columns)]
    codes = np.zeros(len(arrays[0]), dtype=np.int64)
    for array in arrays:
        array_codes, uniques = pd.factorize(array, use_na_sentinel=False)
        codes = pd.factorize(codes * len(uniques) + array_codes)[0]
    representative = np.empty(codes.max(initial=-1) + 1, dtype=np.int64)
    representative[codes] = np.arange(len(codes))
    return [array[representative] for array in arrays], codes


def expected_purchases(
    bg_nbd: Mapping[str, float],
    frequency: object,
    recency: object,
    age: object,
    future_t: object,
) -> np.ndarray:
    """Expected purchases of each customer in the next ``future_t`` time units.

    Equation (10) of Fader, Hardie and Lee (2005): the purchases expected of a
    customer who is alive, times the probability that it is.

    Args:
        bg_nbd: Fitted ``r``, ``alpha``, ``a``, ``b``.
        frequency: Repeat purchases ``x``, one per customer.
        recency: Time of the last purchase ``t_x``.
        age: Time since the first purchase ``T``.
        future_t: Length of the period ahead, one number or one per customer.

    Returns:
        Float array of shape ``(n_customers,)``.
    """
    x, big_t, t = _arrays(frequency, age, future_t)
    (x_d, big_t_d, t_d), inverse = _distinct(x, big_t, t)
    if_alive = _purchases_if_alive(bg_nbd, x_d, big_t_d, t_d)[inverse]
    return if_alive * probability_alive(bg_nbd, frequency, recency, age)


def expected_spend(
    gamma_gamma: Mapping[str, float], frequency: object, monetary_value: object
) -> np.ndarray:
    """Expected spend per purchase of each customer (Gamma-Gamma).

    The customer's mean repeat spend shrunk towards the population mean, the more
    the fewer repeat purchases it made; without one, the population mean
    ``p v / (q - 1)``.

    Args:
        gamma_gamma: Fitted ``p``, ``q``, ``v``.
        frequency: Repeat purchases, one per customer.
        monetary_value: Mean spend of the repeat purchases (0 without one).

    Returns:
        Float array of shape ``(n_customers,)``.
    """
    x, spend = _arrays(frequency, monetary_value)
    p, q, v = (gamma_gamma[name] for name in ("p", "q", "v"))
    individual_weight = p * x / (p * x + q - 1.0)
    population_mean = v * p / (q - 1.0)
    return (1.0 - individual_weight) * population_mean + individual_weight * spend


def lifetime_value(  # noqa: PLR0913 - the model, four customer arrays and the horizon
    bg_nbd: Mapping[str, float],
    frequency: object,
    recency: object,
    age: object,
    spend: object,
    *,
    horizon_months: int,
    discount_rate: float,
    periods_per_month: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Discounted spend of each customer over the next ``horizon_months`` months.

    Month ``m`` adds its expected purchases times the expected spend, divided by
    ``(1 + discount_rate) ** m``, as pymc-marketing's (and lifetimes')
    ``customer_lifetime_value`` do. Without a discount the months add up to the
    purchases of the whole horizon, which is computed at once.

    Args:
        bg_nbd: Fitted ``r``, ``alpha``, ``a``, ``b``.
        frequency: Repeat purchases, one per customer.
        recency: Time of the last purchase.
        age: Time since the first purchase.
        spend: Expected spend per purchase (:func:`expected_spend`).
        horizon_months: Months ahead.
        discount_rate: Monthly discount rate.
        periods_per_month: Time units in a month (4.345 weeks, 30 days, 1 month).

    Returns:
        ``(expected purchases over the horizon, lifetime value)``, float arrays
        of shape ``(n_customers,)``.
    """
    months = [horizon_months] if discount_rate == 0.0 else range(1, horizon_months + 1)
    x, big_t, spend_array = _arrays(frequency, age, spend)
    alive = probability_alive(bg_nbd, frequency, recency, age)
    (x_d, big_t_d), inverse = _distinct(x, big_t)
    value = np.zeros_like(spend_array)
    purchases = previous = np.zeros_like(spend_array)
    for month in months:
        t = np.full_like(x_d, month * periods_per_month)
        purchases = _purchases_if_alive(bg_nbd, x_d, big_t_d, t)[inverse] * alive
        value += spend_array * (purchases - previous) / (1.0 + discount_rate) ** month
        previous = purchases
    return purchases, value
