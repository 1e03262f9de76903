"""A run's process exits without the garbage collector's passes over every library's objects.

After a run the process holds about 800,000 container objects that live until
it ends: the modules, classes and functions of Kedro, DuckDB, Ibis, pandas,
scikit-learn, matplotlib, MLflow, PyMC and PyTensor. When the interpreter tears
its modules down it makes several full passes of the cyclic garbage collector
over all of them; on the 100k sample that took 2.4 to 3.3 s of a run's 3.0 to
3.5 s after its last exit handler, each pass finding next to nothing
(docs/performance.md, "The interpreter's exit").

The run's hooks register here what the project must close (its DuckDB
databases, the local MLflow store). At exit, once, this:

1. closes them, so each database is checkpointed and its write-ahead log
   removed as a normal close does, instead of whenever the collector would
   have reached their last references;
2. collects the garbage left by the run (one full pass, as Python's own exit
   makes first, while every module is still intact, so finalizers of that
   garbage run as before);
3. freezes what is left (``gc.freeze()``): the module teardown then frees those
   objects by reference counting and the collector no longer walks them.

What a frozen object in a reference cycle would have done when the teardown
freed it is not done: Python does not promise to finalize objects still alive at
exit, and libraries that must do work at exit register exit handlers, which
still run (only the collector is affected). Memory and files are given back by
the operating system as for any process.
"""

from __future__ import annotations

import atexit
import gc
import logging
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)

_closers: list[Callable[[], object]] = []
_lock = threading.Lock()
_registered = False


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
