"""Independent fits run side by side: the sweeps' candidates, merge trees and stability halves."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TypeVar

from joblib import Parallel, delayed

Item = TypeVar("Item")
Result = TypeVar("Result")


def side_by_side(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    n_jobs: int | None,
    *,
    processes: bool = False,
) -> list[Result]:
    """Returns ``[function(item) for item in items]``, computed on up to ``n_jobs`` workers.

    scikit-learn's K-means and mixture loops release the interpreter lock, so
    their fits run in threads; SciPy's merge trees hold it, so they need
    ``processes`` (joblib's worker processes, started once and reused). Each
    call must be seeded on its own.

    Args:
        function: Called once per item (in a process: picklable by cloudpickle,
            as closures are).
        items: The items, in the order of the results.
        n_jobs: Workers at most; ``None`` is one per core, 1 calls in turn.
        processes: Worker processes instead of threads.

    Returns:
        The results in the order of ``items``.
    """
    workers = min(n_jobs or os.cpu_count() or 1, len(items))
    if workers <= 1:
        return [function(item) for item in items]
    run = Parallel(n_jobs=workers, prefer="processes" if processes else "threads")
    return run(delayed(function)(item) for item in items)
