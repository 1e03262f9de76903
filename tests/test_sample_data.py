"""Tests of the built-in sample generator."""

import pandas as pd
import pytest

from customer_segmentation.sample_data import GROUPS, generate_sample, main


def test_generate_sample_is_reproducible_for_a_seed():
    first = generate_sample(n_customers=60, seed=3)
    second = generate_sample(n_customers=60, seed=3)

    pd.testing.assert_frame_equal(first.transactions, second.transactions)
    pd.testing.assert_frame_equal(first.customers, second.customers)


def test_generate_sample_plants_every_group_and_real_world_dirt():
    sample = generate_sample(n_customers=2_000, seed=7)
    lines = sample.transactions

    assert set(sample.truth["planted_group"]) == {group.name for group in GROUPS}
    assert sample.truth["customer_id"].is_unique
    assert len(sample.customers) == 2_000
    assert lines["customer_id"].isna().any()
    assert lines["invoice_id"].str.startswith("C").any()
    assert (lines["quantity"] <= 0).any()
    assert (lines["unit_price"] == 0).any()
    assert lines.duplicated().any()


def test_generate_sample_rejects_fewer_customers_than_groups():
    with pytest.raises(
        ValueError, match=r"n_customers=3 should be >= the number of planted groups=6"
    ):
        generate_sample(n_customers=3)


def test_command_line_writes_the_three_tables(tmp_path):
    main(["--customers", "50", "--seed", "1", "--output-dir", str(tmp_path)])

    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "customers.csv",
        "sample_truth.csv",
        "transactions.parquet",
    ]
    assert len(pd.read_csv(tmp_path / "customers.csv")) == 50


def test_blocks_continue_the_ids_and_invoices_and_start_with_the_plain_sample(tmp_path):
    main(
        ["--customers", "2003", "--seed", "5", "--block-customers", "1000"]
        + ["--output-dir", str(tmp_path)]
    )
    lines = pd.read_parquet(tmp_path / "transactions.parquet")
    customers = pd.read_csv(tmp_path / "customers.csv")
    truth = pd.read_csv(tmp_path / "sample_truth.csv")
    first_block = generate_sample(n_customers=1000, seed=5).transactions

    assert len(customers) == len(truth) == 2003
    assert customers["customer_id"].is_unique
    assert set(customers["customer_id"]) == set(range(12_000, 12_000 + 2003))
    assert set(lines["customer_id"].dropna()) == set(customers["customer_id"])
    invoice = lines["invoice_id"].str.lstrip("GC")
    owners = lines.dropna(subset=["customer_id"]).groupby(invoice)["customer_id"]
    assert owners.nunique().max() == 1
    as_read = {"customer_id": "Int64"}
    pd.testing.assert_frame_equal(
        lines.iloc[: len(first_block)].astype(as_read),
        first_block.astype(as_read),
    )
    # The 3 customers left over join the last block rather than make one of their own.
    assert truth["planted_group"].iloc[1000:].nunique() == len(GROUPS)
