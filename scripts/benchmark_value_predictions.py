"""Times the closed-form customer value predictions against pymc-marketing's on one summary.

Prints numbers; it asserts nothing. A synthetic purchase summary of the given size
(whole purchase counts, ages in whole days, in weeks as the pipeline's default) is
valued twice with the same parameters: by ``predict_customer_value`` (numpy,
the project's scoring path) and by pymc-marketing's ``BetaGeoModel``,
``GammaGammaModel`` and ``customer_lifetime_value`` (the reference of
``tests/pipelines/customer_value/test_predictions.py``). Each is timed as the
best of ``--repeats`` calls, then the largest relative difference is printed.

Usage (from the project root)::

    .venv/bin/python scripts/benchmark_value_predictions.py --customers 1
    .venv/bin/python scripts/benchmark_value_predictions.py --customers 1000000 --repeats 1
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from customer_segmentation.bundle import CustomerValueModels  # noqa: E402
from customer_segmentation.pipelines.customer_value.models import (  # noqa: E402
    predict_customer_value,
)
from customer_segmentation.pipelines.customer_value.settings import (  # noqa: E402
    CustomerValueSettings,
)
from tests.pipelines.customer_value.test_predictions import (  # noqa: E402
    pymc_marketing_value,
)

# The built-in sample's fit, in weeks.
VALUE_MODELS = CustomerValueModels.model_validate(
    {
        "status": "fitted",
        "time_unit": "weeks",
        "bg_nbd": {
            "parameters": {"r": 0.7685, "alpha": 4.3683, "a": 0.1407, "b": 0.5628},
            "log_likelihood": 0.0,
            "n_customers": 1,
        },
        "gamma_gamma": {
            "parameters": {"p": 1.118, "q": 1.7426, "v": 255.84},
            "log_likelihood": 0.0,
            "n_customers": 1,
        },
    }
)


def synthetic_summary(n_customers: int, seed: int) -> pd.DataFrame:
    """Purchase counts, recency and age (whole days, in weeks) and mean spend."""
    rng = np.random.default_rng(seed)
    frequency = rng.poisson(4.0, n_customers)
    age_days = rng.integers(1, 730, n_customers)
    recency_days = np.where(frequency > 0, rng.integers(0, age_days + 1), 0)
    return pd.DataFrame(
        {
            "customer_id": np.arange(n_customers).astype(str),
            "frequency": frequency,
            "recency": recency_days / 7.0,
            "T": age_days / 7.0,
            "monetary_value": np.where(
                frequency > 0, rng.gamma(2.0, 60.0, n_customers), 0.0
            ),
        }
    )


def best_time(function, repeats: int) -> tuple[float, pd.DataFrame]:
    """Best wall time of ``repeats`` calls, and the last result."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    """Parses the command line, times both and prints the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    summary = synthetic_summary(arguments.customers, arguments.seed)
    settings = CustomerValueSettings()
    ours_seconds, ours = best_time(
        lambda: predict_customer_value(VALUE_MODELS, summary, settings),
        arguments.repeats,
    )
    pymc_seconds, reference = best_time(
        lambda: pymc_marketing_value(VALUE_MODELS, summary, settings),
        arguments.repeats,
    )
    difference = max(
        float(
            np.max(
                np.abs(ours[column].to_numpy(dtype="float64") - reference[column])
                / np.maximum(np.abs(reference[column]), 1e-12)
            )
        )
        for column in reference
    )
    print(f"customers={arguments.customers:,} repeats={arguments.repeats}")  # noqa: T201
    print(f"  closed form (numpy):  {ours_seconds:9.3f} s")  # noqa: T201
    print(f"  pymc-marketing:       {pymc_seconds:9.3f} s")  # noqa: T201
    print(f"  ratio pymc / numpy:   {pymc_seconds / ours_seconds:9.1f}")  # noqa: T201
    print(f"  largest relative difference: {difference:.2e}")  # noqa: T201


if __name__ == "__main__":
    main()
