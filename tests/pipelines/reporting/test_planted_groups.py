"""Every planted group of the sample generator gets a segment named in its RFM family.

Runs on the built-in sample (the finished project run) and on two larger generated
samples with other seeds, each run once per session up to ``segment_names``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from customer_segmentation.sample_data import generate_sample, write_sample
from tests.project import copy_project, run_project

FAMILIES = {
    "at_risk": {"At Risk", "Can't Lose Them", "About To Sleep"},
    "champions": {"Champions"},
    "hibernating": {"Hibernating", "Lost"},
    "loyal": {"Loyal Customers"},
    "new": {"New Customers", "Promising", "Potential Loyalists"},
}
BIG_SPENDERS = "big_spenders"
GENERATED_SAMPLES = {"20k_seed_7": (20_000, 7), "25k_seed_2024": (25_000, 2024)}


def _read_outputs(project: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    names = pd.read_csv(project / "data" / "08_reporting" / "segment_names.csv")
    segments = pd.read_parquet(
        project / "data" / "07_model_output" / "customer_segments.parquet"
    )
    truth = pd.read_csv(
        project / "data" / "01_raw" / "sample_truth.csv", dtype={"customer_id": str}
    )
    return names, segments, truth


@pytest.fixture(scope="session")
def generated_projects(tmp_path_factory) -> dict[str, Path]:
    """Runs each generated sample through processing, features, modeling and naming."""
    projects = {}
    for label, (n_customers, seed) in GENERATED_SAMPLES.items():
        project = copy_project(tmp_path_factory.mktemp(f"sample_{label}"))
        write_sample(generate_sample(n_customers, seed), project / "data" / "01_raw")
        previous = Path.cwd()
        os.chdir(project)  # the catalog's relative paths resolve against it
        try:
            run_project(project, to_outputs=["segment_names"])
        finally:
            os.chdir(previous)
        projects[label] = project
    return projects


def _name_table(project: Path) -> pd.DataFrame:
    names, segments, truth = _read_outputs(project)
    joined = segments.merge(truth, on="customer_id", validate="one_to_one")
    main_segment = (
        joined.groupby("planted_group")["segment_id"]
        .agg(lambda ids: ids.value_counts().index[0])
        .rename("segment_id")
        .reset_index()
    )
    table = main_segment.merge(names, on="segment_id", how="left")
    print(table[["planted_group", "segment_id", "segment_name"]].to_string())  # noqa: T201
    return table.set_index("planted_group")


def _check_families(project: Path) -> None:
    names, _, _ = _read_outputs(project)
    table = _name_table(project)
    family = table["segment_name"].str.split(":").str[0].str.strip()
    for group, allowed in FAMILIES.items():
        assert family[group] in allowed, (group, table.loc[group, "segment_name"])
    big = table.loc[BIG_SPENDERS, "segment_name"]
    assert "high spend per order" in big.lower(), big
    assert family[BIG_SPENDERS] not in set().union(*FAMILIES.values()), big
    assert table["segment_id"].is_unique, "two planted groups share one segment"
    assert names["segment_name"].is_unique
    assert names["recommended_action"].is_unique


def test_built_in_sample_groups_are_named_in_their_family(finished_project):
    _check_families(finished_project)


@pytest.mark.parametrize("label", sorted(GENERATED_SAMPLES))
def test_generated_sample_groups_are_named_in_their_family(generated_projects, label):
    _check_families(generated_projects[label])
