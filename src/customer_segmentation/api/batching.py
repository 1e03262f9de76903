"""Coalesces concurrent feature-mode requests into one model call.

One model call costs about the same for 1 customer as for 1,000 (the fixed cost is
in the scikit-learn pipeline), so under concurrent load the requests that arrive
while a call runs are scored together in the next call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

Rows = list[dict[str, Any]]


class ScoringBatcher:
    """Queues feature rows, scores each batch in a worker thread, splits the answer.

    Args:
        score: Function scoring a list of rows, returning one scored row per input
            row, in the same order.
        max_rows: Most rows scored in one call; a larger request is scored alone.
    """

    def __init__(self, score: Callable[[Rows], Rows], max_rows: int) -> None:
        self._score = score
        self._max_rows = max_rows
        self._queue: asyncio.Queue[tuple[Rows, asyncio.Future[Rows]]] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Starts the worker on the running event loop."""
        self._worker = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stops the worker; queued requests are cancelled."""
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None

    async def score(self, rows: Rows) -> Rows:
        """Scores rows together with whatever else is waiting.

        Args:
            rows: Feature rows of one request.

        Returns:
            The scored rows of this request, in order.

        Raises:
            RuntimeError: If the batcher was not started.
        """
        if self._worker is None:
            raise RuntimeError("ScoringBatcher.score called before start()")
        future: asyncio.Future[Rows] = asyncio.get_running_loop().create_future()
        await self._queue.put((rows, future))
        return await future

    def _take_batch(
        self, first: tuple[Rows, asyncio.Future[Rows]]
    ) -> list[tuple[Rows, asyncio.Future[Rows]]]:
        batch = [first]
        n_rows = len(first[0])
        while not self._queue.empty():
            rows, _ = self._queue._queue[0]  # peek without removing
            if n_rows + len(rows) > self._max_rows:
                break
            batch.append(self._queue.get_nowait())
            n_rows += len(rows)
        return batch

    async def _run(self) -> None:
        while True:
            batch = self._take_batch(await self._queue.get())
            rows = [row for request_rows, _ in batch for row in request_rows]
            logger.debug(
                "scoring %d requests, %d rows, in one call", len(batch), len(rows)
            )
            try:
                scored = await asyncio.to_thread(self._score, rows)
            except Exception:  # rescored one by one below
                await self._score_one_by_one(batch)
                continue
            start = 0
            for request_rows, future in batch:
                end = start + len(request_rows)
                if not future.done():
                    future.set_result(scored[start:end])
                start = end

    async def _score_one_by_one(
        self, batch: list[tuple[Rows, asyncio.Future[Rows]]]
    ) -> None:
        # One bad request must not fail the others it was batched with.
        for request_rows, future in batch:
            try:
                result = await asyncio.to_thread(self._score, request_rows)
            except Exception as error:  # handed to the caller
                if not future.done():
                    future.set_exception(error)
            else:
                if not future.done():
                    future.set_result(result)
