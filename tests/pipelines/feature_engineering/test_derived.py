"""Unit tests of the derived features and of features from files without invoice or product ids."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from customer_segmentation.pipelines.data_processing.nodes import (
    CustomerCleaningRules,
    CustomersSchema,
    InputValidationError,
    flag_customers,
    select_clean_customers,
    standardise_customers,
)
from customer_segmentation.pipelines.data_processing.settings import Bounds
from customer_segmentation.pipelines.feature_engineering.derived import (
    add_derived_features,
)
from customer_segmentation.pipelines.feature_engineering.nodes import (
    compute_customer_features,
)
from customer_segmentation.pipelines.feature_engineering.orders import (
    aggregate_customer_orders,
)
from customer_segmentation.pipelines.feature_engineering.settings import (
    DerivedFeature,
    DerivedFeatures,
)
from tests.project import shared_dataset

# Each test runs on DuckDB and on Spark (tests/engines.py).
pytestmark = pytest.mark.usefixtures("engine")


def _features() -> ibis.Table:
    return ibis.memtable(
        pd.DataFrame(
            {
                "customer_id": ["a", "b"],
                "food": [10.0, 3.0],
                "drinks": [5.0, None],
                "visits": [5.0, 0.0],
                "birth_year": [1980.0, 2000.0],
                "joined": pd.to_datetime(["2020-06-30", "2024-07-01"]),  # 5 and 0 years
            }
        )
    )


def _derive(**columns: dict) -> pd.DataFrame:
    derived = DerivedFeatures.model_validate({"columns": columns})
    table = add_derived_features(_features(), derived, pd.Timestamp("2025-06-30"))
    return table.order_by("customer_id").to_pandas()


def test_sum_difference_and_ratio_are_computed_in_order():
    result = _derive(
        spend={"sum": ["food", "drinks"]},
        gap={"difference": ["food", "visits"]},
        per_visit={"ratio": ["spend", "visits"]},
    )

    assert result["spend"].tolist()[0] == 15.0
    assert pd.isna(result["spend"].iloc[1])  # a missing part gives a missing sum
    assert result["gap"].tolist() == [5.0, 3.0]
    assert result["per_visit"].iloc[0] == 3.0
    assert pd.isna(result["per_visit"].iloc[1])  # no division by zero


def test_years_since_a_year_and_a_date_are_whole_years_to_the_reference_date():
    result = _derive(
        age={"years_since": "birth_year"}, seniority={"years_since": "joined"}
    )

    assert result["age"].tolist() == [45.0, 25.0]
    assert result["seniority"].tolist() == [5.0, 0.0]


def test_derived_feature_may_not_replace_an_existing_column():
    with pytest.raises(ValueError, match=r"derived feature 'food'.*rule: a new column"):
        _derive(food={"sum": ["food", "drinks"]})


def test_derived_feature_has_exactly_one_operation():
    with pytest.raises(ValueError, match=r"give exactly one of"):
        DerivedFeature()


def test_customer_features_of_line_totals_count_purchases_by_day():
    lines = ibis.memtable(
        pd.DataFrame(
            {
                "customer_id": ["a", "a", "a", "b"],
                "invoice_id": pd.Series([None] * 4, dtype="string"),
                "invoice_date": pd.to_datetime(
                    [
                        "2025-01-01 09:00",
                        "2025-01-01 17:00",
                        "2025-01-03 09:00",
                        "2025-01-02 09:00",
                    ]
                ),
                "product_id": pd.Series([None] * 4, dtype="string"),
                "quantity": [None, None, None, None],
                "unit_price": [None, None, None, None],
                "line_total": [10.0, 5.0, 2.5, 7.0],
                "country": pd.Series([None] * 4, dtype="string"),
            }
        ).astype({"quantity": "float64", "unit_price": "float64"})
    )
    no_customers = flag_customers(
        standardise_customers(None, CustomersSchema(), "transactions"),
        CustomerCleaningRules(),
    )

    features = compute_customer_features(
        aggregate_customer_orders(lines),
        lines,
        lines.filter(ibis.literal(False)),
        no_customers,
        pd.Timestamp("2025-01-04"),
        input_kind="transactions",
        derived_features=DerivedFeatures(
            columns={"per_purchase": DerivedFeature(ratio=["monetary", "frequency"])}
        ),
    ).to_pandas()

    assert features["frequency"].tolist() == [2, 1]
    assert features["monetary"].tolist() == [17.5, 7.0]
    assert features["per_purchase"].tolist() == [8.75, 7.0]
    assert "distinct_products" not in features.columns


def test_customer_personalitys_placeholder_birth_years_are_named_without_their_bounds():
    # The export's birth years 1893, 1899 and 1900 lie 40 years before the next
    # (1940); its environment drops them with bounds.year_birth.min: 1910.
    # Without that bound, the years_since rule names them and gives that way out.
    source = shared_dataset("customer_personality", "marketing_campaign.csv")
    raw = pd.read_csv(source, sep="\t", dtype={"ID": str})
    customers = standardise_customers(
        raw,
        CustomersSchema(customer_id="ID", numeric={"year_birth": "Year_Birth"}),
        "attributes",
    )
    kept = select_clean_customers(flag_customers(customers, CustomerCleaningRules()))
    age = DerivedFeatures(columns={"age": DerivedFeature(years_since="year_birth")})

    with pytest.raises(InputValidationError) as raised:
        add_derived_features(kept, age, pd.Timestamp("2014-06-30"))

    message = str(raised.value)
    assert "no customer between 74 and 114 years" in message
    assert "3 of 2240 values lie beyond it" in message
    assert "bounds.year_birth.min: 1940 to drop" in message
    bounded = CustomerCleaningRules(bounds={"year_birth": Bounds(min=1940)})
    kept = select_clean_customers(flag_customers(customers, bounded))
    ages = add_derived_features(kept, age, pd.Timestamp("2014-06-30")).to_pandas()
    assert len(ages) == 2237  # noqa: PLR2004
    assert ages["age"].max() == 74  # noqa: PLR2004
