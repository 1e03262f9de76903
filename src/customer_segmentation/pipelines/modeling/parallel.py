"""Independent fits run side by side: the sweeps' candidates and stability halves."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def side_by_side(
    function: Callable[[Item], Result], items: Sequence[Item], n_jobs: int | None
) -> list[Result]:
    """Returns ``[function(item) for item in items]``, computed on up to ``n_jobs`` threads.

    scikit-learn's K-means and mixture loops, the distance computations and
    fastcluster's merge trees release the interpreter lock, so their fits use
    several cores in threads. Each call must be seeded on its own.

    Args:
        function: Called once per item.
        items: The items, in the order of the results.
        n_jobs: Threads at most; ``None`` is one per core, 1 calls in turn.

    Returns:
        The results in the order of ``items``.
    """
    workers = min(n_jobs or os.cpu_count() or 1, len(items))
    if workers <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(function, items))
