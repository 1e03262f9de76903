"""Every environment's configuration loads and fits the typed parameters (no data needed)."""

from __future__ import annotations

import pytest
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

from customer_segmentation.pipelines.customer_value.settings import (
    CalibrationSettings,
    CustomerValueSettings,
)
from customer_segmentation.pipelines.data_processing.datasets import AbsentDataset
from customer_segmentation.pipelines.data_processing.nodes import (
    CleaningRules,
    CustomerCleaningRules,
    CustomersSchema,
    TransactionsSchema,
    check_input_kind,
)
from customer_segmentation.pipelines.feature_engineering.settings import (
    DerivedFeatures,
    FeatureSettings,
    ModelInputChecks,
)
from customer_segmentation.pipelines.modeling.settings import ModelFeatures

TYPED_PARAMETERS = {
    "transactions_schema": TransactionsSchema,
    "customers_schema": CustomersSchema,
    "cleaning_rules": CleaningRules,
    "customer_cleaning_rules": CustomerCleaningRules,
    "feature_settings": FeatureSettings,
    "model_features": ModelFeatures,
    "model_input_checks": ModelInputChecks,
    "derived_features": DerivedFeatures,
    "customer_value": CustomerValueSettings,
    "customer_value_calibration": CalibrationSettings,
}
ENVIRONMENTS = {
    None: "both",
    "online_retail": "transactions",
    "online_retail_ii": "transactions",
    "mall_customers": "attributes",
    "wholesale": "attributes",
    "customer_personality": "attributes",
    "headerless_totals": "transactions",
}


@pytest.mark.parametrize("env", list(ENVIRONMENTS))
def test_environment_parameters_and_raw_inputs_agree(project_copy, env):
    bootstrap_project(project_copy)
    with KedroSession.create(project_path=project_copy, env=env) as session:
        context = session.load_context()
        params = context.params
        catalog = context.catalog

    assert params["input_kind"] == ENVIRONMENTS[env]
    check_input_kind(params["input_kind"])
    for key, model in TYPED_PARAMETERS.items():
        model.model_validate(params[key])
    absent = {
        name
        for name in ("raw_transactions", "raw_customers")
        if isinstance(catalog.get(name), AbsentDataset)
    }
    expected_absent = {
        "both": set(),
        "transactions": {"raw_customers"},
        "attributes": {"raw_transactions"},
    }[params["input_kind"]]
    assert absent == expected_absent
