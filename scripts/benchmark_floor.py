"""The floor of the pipeline benchmark: the cheapest code that does the same job.

A DuckDB aggregate of recency, frequency and monetary value straight from the
transactions parquet file; then log and scale, K-means and Gaussian-mixture sweeps
k=2..10 with ``n_init=1`` on a 100k fit sample, Ward on 10k (one tree, cut at
every k), a silhouette on a 10k
sample, and assigning every customer. ``--aggregate-only`` stops after the
aggregate (the floor of the data pipelines). Run by ``benchmark_pipeline.py``.
"""

from __future__ import annotations

import argparse
import time

import duckdb
import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler

AGGREGATE = """
SELECT customer_id,
       date_diff('day', max(invoice_date)::DATE, (SELECT max(invoice_date)::DATE + 1 FROM t))
           AS recency,
       count(DISTINCT invoice_id) AS frequency,
       sum(quantity * unit_price) AS monetary
FROM t
WHERE customer_id IS NOT NULL AND quantity > 0 AND unit_price > 0
      AND NOT starts_with(invoice_id, 'C')
GROUP BY customer_id
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("transactions", help="path of the transactions parquet file")
    parser.add_argument("--aggregate-only", action="store_true")
    arguments = parser.parse_args()
    started = time.perf_counter()
    connection = duckdb.connect()
    connection.execute(f"CREATE VIEW t AS SELECT * FROM '{arguments.transactions}'")
    rfm = connection.execute(AGGREGATE).df()
    print(f"aggregate {time.perf_counter() - started:.1f} s, {len(rfm):,} customers")  # noqa: T201
    if arguments.aggregate_only:
        return
    values = rfm[["recency", "frequency", "monetary"]].to_numpy(dtype=float)
    features = StandardScaler().fit_transform(np.log1p(np.clip(values, 0, None)))
    generator = np.random.default_rng(0)
    fit_sample = features[
        generator.choice(len(features), min(100_000, len(features)), replace=False)
    ]
    ward_sample = fit_sample[:10_000]
    ward_tree = linkage(ward_sample, method="ward")
    best = None
    for k in range(2, 11):
        kmeans = KMeans(k, n_init=1, random_state=0).fit(fit_sample)
        GaussianMixture(k, n_init=1, random_state=0).fit(fit_sample)
        labels = fcluster(ward_tree, k, criterion="maxclust")
        silhouette_score(ward_sample, labels)
        score = silhouette_score(
            fit_sample[:10_000], kmeans.predict(fit_sample[:10_000])
        )
        if best is None or score > best[0]:
            best = (score, kmeans)
    best[1].predict(features)
    print(f"total {time.perf_counter() - started:.1f} s")  # noqa: T201


if __name__ == "__main__":
    main()
