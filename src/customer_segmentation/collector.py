"""Where a run's process spares the cyclic garbage collector's full passes over what it keeps.

A run's process holds about 480,000 container objects when the run starts and
about 800,000 when it ends: the modules, classes and functions of Kedro, DuckDB,
Ibis, pandas, scikit-learn, matplotlib, MLflow, PyMC and PyTensor, which live
until the process ends. Every full pass of the collector walks all of them and
finds next to nothing (docs/performance.md, "The garbage collector at start-up,
after the run and at exit"):

- :func:`paused` stops the collector for a stretch that makes much and frees
  little: the settings importing the hooks' libraries, the MLflow records after
  the run (a full pass there took 0.6 to 1.0 s);
- at exit, the interpreter makes several full passes while it tears its modules
  down: 2.7 to 3.3 s of the 3.0 to 3.5 s a run's process took to end on the 100k
  sample. The run's hooks register here what the project must close (its DuckDB
  databases, the local MLflow store); :func:`finish_process`, the exit handler,
  closes them (each database is checkpointed and its write-ahead log removed as
  a normal close does), collects the garbage once, as the interpreter's own first
  pass at exit does while every module is intact, and freezes what is left
  (``gc.freeze()``): the teardown then frees those objects by reference counting,
  without the collector's passes.

What the freeze gives up: an object alive at exit that the teardown leaves in a
reference cycle is not finalized. Python does not promise to finalize objects
still alive at exit, libraries that must do work at exit register exit handlers
(they still run), and the operating system takes back the memory and files.
"""

from __future__ import annotations

import atexit
import gc
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

logger = logging.getLogger(__name__)

_closers: list[Callable[[], object]] = []
_lock = threading.Lock()
_registered = False


@contextmanager
def paused() -> Iterator[None]:
    """Pauses the collector for the block, then leaves it as it was (on or off)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def close_at_exit(close: Callable[[], object]) -> None:
    """Closes something when the process exits, before the collector is frozen.

    The first call registers the exit handler (:func:`finish_process`). Closers
    run in the reverse order of registration, each once however often it was
    registered (every run of a process registers its database again); one that
    fails is logged and the others still run.

    Args:
        close: Called once at exit with no arguments, e.g. a connection's
            ``close``. Closing something already closed must be harmless.
    """
    global _registered  # noqa: PLW0603 - one handler per process
    with _lock:
        if close not in _closers:
            _closers.append(close)
        if not _registered:
            atexit.register(finish_process)
            _registered = True


def finish_process() -> None:
    """Closes what was registered, collects the garbage once, then freezes the rest.

    Registered by :func:`close_at_exit` to run at exit; called directly it
    leaves the process running with every object alive so far frozen.
    """
    with _lock:
        closers, _closers[:] = list(reversed(_closers)), []
    for close in closers:
        try:
            close()
        except Exception as error:  # noqa: BLE001 - exit goes on whatever fails
            logger.debug("Closing %r at exit failed: %s", close, error)
    gc.collect()
    gc.freeze()
