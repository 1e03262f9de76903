"""Times the reporting nodes as customers grow, against a baseline measured in the same run.

Usage (after ``make run``, which writes the inputs it replicates)::

    .venv/bin/python scripts/benchmark_reporting.py --factors 1 10 40

Each factor replicates ``customer_features`` and ``customer_segments`` that many times (new
customer ids, features jittered by up to 1%), runs every reporting node once, and prints the
seconds per node and the ratio to factor 1. Linear cost shows as time ratios close to the
size ratios. The rules and the breakdown plot are timed both on every customer and on the
customer sample (``customer_sample``), which is what the pipeline gives them.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from customer_segmentation.pipelines.modeling.settings import ModelFeatures
from customer_segmentation.pipelines.reporting.audiences import (
    build_segment_audiences,
    split_segment_audiences,
)
from customer_segmentation.pipelines.reporting.business_plots import (
    plot_segment_breakdowns,
)
from customer_segmentation.pipelines.reporting.migration import (
    compare_segment_assignments,
)
from customer_segmentation.pipelines.reporting.naming import name_segments
from customer_segmentation.pipelines.reporting.plots import (
    plot_recency_monetary,
    plot_rfm_distributions,
    plot_segment_projection,
)
from customer_segmentation.pipelines.reporting.profiles import (
    draw_customer_sample,
    profile_segments,
)
from customer_segmentation.pipelines.reporting.rfm import score_rfm
from customer_segmentation.pipelines.reporting.rules import derive_segment_rules
from customer_segmentation.pipelines.reporting.settings import (
    CustomerSampleSettings,
    NamingSettings,
    ProjectionSettings,
    ReportSettings,
    RfmSettings,
    RulesSettings,
)

logger = logging.getLogger(__name__)

# The project's RFM scheme, so the cells are named by the rules a run uses.
PARAMETERS = Path(__file__).resolve().parents[1] / "conf/base/parameters_reporting.yml"


def replicate(
    features: pd.DataFrame, segments: pd.DataFrame, factor: int, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Makes ``factor`` jittered copies of every customer.

    Args:
        features: One row per customer.
        segments: ``customer_id`` and ``segment_id``.
        factor: Number of copies.
        seed: Seed of the jitter.

    Returns:
        The replicated features and segments, with unique customer ids.
    """
    rng = np.random.default_rng(seed)
    copies = []
    for copy in range(factor):
        numeric = features.select_dtypes("number").columns
        jitter = 1 + rng.uniform(-0.01, 0.01, size=(len(features), len(numeric)))
        copies.append(
            features.assign(
                customer_id=features["customer_id"].astype(str) + f"-{copy}",
                **{
                    column: (features[column] * jitter[:, index]).astype(
                        features[column].dtype
                    )
                    for index, column in enumerate(numeric)
                },
            )
        )
    big = pd.concat(copies, ignore_index=True)
    big_segments = pd.concat(
        [
            segments.assign(
                customer_id=segments["customer_id"].astype(str) + f"-{copy}"
            )
            for copy in range(factor)
        ],
        ignore_index=True,
    )
    return big, big_segments


def _time(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def time_nodes(features: pd.DataFrame, segments: pd.DataFrame) -> dict[str, float]:
    """Runs each reporting node once and measures its wall time.

    Args:
        features: One row per customer.
        segments: ``customer_id`` and ``segment_id``.

    Returns:
        Seconds per node name.
    """
    rfm = RfmSettings.model_validate(
        yaml.safe_load(PARAMETERS.read_text(encoding="utf-8"))["rfm"]
    )
    projection = ProjectionSettings()
    profiles = profile_segments(features, segments)
    model_features = ModelFeatures(numeric=["recency_days", "frequency", "monetary"])
    names = name_segments(profiles, segments, features, rfm, NamingSettings())
    sample = draw_customer_sample(features, segments, CustomerSampleSettings())
    rules, _ = derive_segment_rules(*sample, names, RulesSettings())
    report = ReportSettings()
    return {
        "profile_segments": _time(lambda: profile_segments(features, segments)),
        "draw_customer_sample": _time(
            lambda: draw_customer_sample(features, segments, CustomerSampleSettings())
        ),
        "score_rfm": _time(lambda: score_rfm(features, rfm)),
        "name_segments": _time(
            lambda: name_segments(profiles, segments, features, rfm, NamingSettings())
        ),
        "derive_segment_rules (all customers)": _time(
            lambda: derive_segment_rules(features, segments, names, RulesSettings())
        ),
        "derive_segment_rules (sample)": _time(
            lambda: derive_segment_rules(*sample, names, RulesSettings())
        ),
        "plot_segment_breakdowns (all customers)": _time(
            lambda: plot_segment_breakdowns(features, segments, names, report)
        ),
        "plot_segment_breakdowns (sample)": _time(
            lambda: plot_segment_breakdowns(*sample, names, report)
        ),
        "build_segment_audiences": _time(
            lambda: build_segment_audiences(
                features, segments, names, rules, model_features
            )
        ),
        "split_segment_audiences": _time(
            lambda: split_segment_audiences(
                build_segment_audiences(
                    features, segments, names, rules, model_features
                )
            )
        ),
        "compare_segment_assignments": _time(
            lambda: compare_segment_assignments(segments, segments, names)
        ),
        "plot_segment_projection": _time(
            lambda: plot_segment_projection(
                features, segments, names, model_features, projection
            )
        ),
        "plot_rfm_distributions": _time(
            lambda: plot_rfm_distributions(features, segments, names, rfm)
        ),
        "plot_recency_monetary": _time(
            lambda: plot_recency_monetary(features, segments, names, rfm, projection)
        ),
    }


def main() -> None:
    """Prints seconds per node and ratios to the first factor."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10, 40])
    parser.add_argument(
        "--features",
        type=Path,
        default=Path("data/04_feature/customer_features.parquet"),
    )
    parser.add_argument(
        "--segments",
        type=Path,
        default=Path("data/07_model_output/customer_segments.parquet"),
    )
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    features = pd.read_parquet(arguments.features)
    segments = pd.read_parquet(arguments.segments)
    results = {}
    for factor in arguments.factors:
        big_features, big_segments = replicate(features, segments, factor)
        results[factor] = time_nodes(big_features, big_segments)
    baseline = arguments.factors[0]
    header = f"{'node':<30}" + "".join(
        f"{f'x{factor} ({factor * len(features):,})':>22}"
        for factor in arguments.factors
    )
    print(header)  # noqa: T201 - a benchmark script prints its table
    for node in results[baseline]:
        cells = "".join(
            f"{results[factor][node]:>9.3f}s ({results[factor][node] / max(results[baseline][node], 1e-9):>6.1f}x)"
            for factor in arguments.factors
        )
        print(f"{node:<30}{cells}")  # noqa: T201
    totals = {factor: sum(results[factor].values()) for factor in arguments.factors}
    cells = "".join(
        f"{totals[factor]:>9.3f}s ({totals[factor] / totals[baseline]:>6.1f}x)"
        for factor in arguments.factors
    )
    print(f"{'total':<30}{cells}")  # noqa: T201


if __name__ == "__main__":
    main()
