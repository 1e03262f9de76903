"""A value model is compiled once per process and refitted on new data without changing results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.pipelines.customer_value.map_fit import (
    SPEND_MODEL,
    compiled_value_model,
    fit_map,
    forget_compiled_models,
)
from customer_segmentation.pipelines.customer_value.models import (
    fit_purchase_model,
    fit_spend_model,
)
from customer_segmentation.pipelines.customer_value.settings import (
    CustomerValueSettings,
    PriorSpec,
)

FLAT = CustomerValueSettings()


def _customers(n_customers: int, seed: int) -> pd.DataFrame:
    # Repeat purchases spread over each customer's time since the first one.
    rng = np.random.default_rng(seed)
    age = rng.uniform(10.0, 50.0, n_customers)
    frequency = rng.poisson(2.0, n_customers)
    recency = np.where(frequency > 0, age * rng.uniform(0.2, 1.0, n_customers), 0.0)
    return pd.DataFrame(
        {
            "customer_id": [f"c{seed}-{i}" for i in range(n_customers)],
            "frequency": frequency,
            "recency": recency,
            "T": age,
            "monetary_value": np.where(
                frequency > 0, rng.gamma(4.0, 10.0, n_customers), 0.0
            ),
        }
    )


def _module_cache_keys() -> int:
    from pytensor.link.c.basic import get_module_cache  # noqa: PLC0415

    return len(get_module_cache().entry_from_key)


def test_a_refit_on_new_data_equals_a_fit_compiled_for_it():
    first, second = _customers(600, seed=1), _customers(900, seed=2)
    fit_purchase_model(first, FLAT.bg_nbd_priors)
    fit_spend_model(first, FLAT.gamma_gamma_priors)

    refitted = (
        fit_purchase_model(second, FLAT.bg_nbd_priors),
        fit_spend_model(second, FLAT.gamma_gamma_priors),
    )
    forget_compiled_models()
    fresh = (
        fit_purchase_model(second, FLAT.bg_nbd_priors),
        fit_spend_model(second, FLAT.gamma_gamma_priors),
    )

    assert [fit.model_dump() for fit in refitted] == [fit.model_dump() for fit in fresh]
    assert refitted[0].n_customers == 900


def test_the_compiled_graph_does_not_depend_on_the_data():
    # With the customers as graph constants, every dataset filed new keys in
    # pytensor's compile cache, all read by each new process.
    fit_purchase_model(_customers(500, seed=3), FLAT.bg_nbd_priors)
    keys = _module_cache_keys()
    forget_compiled_models()

    fit_purchase_model(_customers(700, seed=4), FLAT.bg_nbd_priors)

    assert _module_cache_keys() == keys


def test_each_set_of_priors_has_its_own_compiled_model():
    flat = compiled_value_model(SPEND_MODEL, FLAT.gamma_gamma_priors)
    informative = {
        "v": PriorSpec(distribution="Gamma", parameters={"alpha": 2, "beta": 1})
    }

    assert compiled_value_model(SPEND_MODEL, FLAT.gamma_gamma_priors) is flat
    assert compiled_value_model(SPEND_MODEL, informative) is not flat


def test_data_the_model_cannot_start_from_is_refused_by_name():
    customers = {"frequency": np.array([1, 2, 3]), "monetary_value": np.zeros(3)}

    with pytest.raises(ValueError, match=r"gamma_gamma: the log density at the start"):
        fit_map(SPEND_MODEL, FLAT.gamma_gamma_priors, customers)
