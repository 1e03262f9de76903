"""Adds small, generated-data environments to a project copy, for end-to-end tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from customer_segmentation.sample_data import generate_sample, write_sample

DUCKDB = {
    "backend": "duckdb",
    "database": "${globals:output_root}/02_intermediate/segmentation.duckdb",
}
RAW = {"kedro-viz": {"layer": "raw"}}
# A quick search: K-means only, k pinned, few stability resamples.
QUICK_SEARCH = {
    "model_search": {"k_min": 2, "k_max": 4, "stability_resamples": 2},
    "agglomerative": {"enabled": False},
    "gaussian_mixture": {"enabled": False},
}


def _raw_file(path: str, file_format: str, table: str) -> dict[str, Any]:
    return {
        "type": "ibis.FileDataset",
        "filepath": path,
        "file_format": file_format,
        "table_name": table,
        "connection": DUCKDB,
        "metadata": RAW,
    }


def add_environment(
    project: Path, name: str, customers: int, seed: int, k: int
) -> Path:
    """Writes ``conf/<name>/`` and generated raw data under ``data/01_raw/<name>/``.

    The environment has its own output root (``data/<name>``), its own training
    export and its own "new" export for the inference pipeline, and pins K-means
    with ``k`` segments.

    Args:
        project: Root of a project copy.
        name: Environment name.
        customers: Customers of the generated training export.
        seed: Seed of the generator (the new export uses ``seed + 1``).
        k: Number of segments.

    Returns:
        The environment's output root.
    """
    raw = f"data/01_raw/{name}"
    write_sample(generate_sample(customers, seed), project / raw)
    write_sample(generate_sample(customers // 2, seed + 1), project / raw / "new")
    conf = project / "conf" / name
    conf.mkdir()
    (conf / "globals.yml").write_text(
        yaml.safe_dump({"environment": name, "output_root": f"data/{name}"})
    )
    catalog = {
        "raw_transactions": _raw_file(
            f"{raw}/transactions.parquet", "parquet", "raw_transactions"
        ),
        "raw_customers": _raw_file(f"{raw}/customers.csv", "csv", "raw_customers"),
        "inference.raw_transactions": _raw_file(
            f"{raw}/new/transactions.parquet",
            "parquet",
            "inference_raw_transactions",
        ),
        "inference.raw_customers": _raw_file(
            f"{raw}/new/customers.csv",
            "csv",
            "inference_raw_customers",
        ),
    }
    (conf / "catalog.yml").write_text(yaml.safe_dump(catalog, sort_keys=False))
    parameters = {**QUICK_SEARCH, "model_choice": {"algorithm": "kmeans", "k": k}}
    (conf / "parameters.yml").write_text(yaml.safe_dump(parameters))
    return project / "data" / name


def published_version(bundle_root: Path) -> str:
    """Version the bundle root's ``LATEST`` pointer names."""
    return json.loads((bundle_root / "LATEST").read_text())["version"]
