"""Where pytensor keeps the C code it compiles for the value models.

The first fit compiles for about 20 s; the result is cached per user, so later runs
(and CI with a cached ``~/.cache``) start in seconds, without a network.

The folder is versioned. Version 1 was filled while the models held their data as
graph constants: it indexed one key per dataset fitted (about 1,300 after a few
days of tests and benchmarks), and pytensor reads every key of the index in each
new process before its first compile (3 s). Since the data are shared variables
(:mod:`.map_fit`) the index holds one key per graph; the old folder
(``.../pytensor``) is no longer read and may be deleted.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from customer_segmentation.user_cache import user_cache_dir

FLAGS_VARIABLE = "PYTENSOR_FLAGS"
CACHE_VERSION = 2


def compile_cache_dir() -> Path:
    """Gives the folder of the compiled code: the user's cache, not the project.

    Returns:
        ``$XDG_CACHE_HOME/customer-segmentation/pytensor-2`` (``~/.cache``
        when ``XDG_CACHE_HOME`` is not set; 2 is ``CACHE_VERSION``).
    """
    return user_cache_dir() / f"pytensor-{CACHE_VERSION}"


def configure_compile_cache() -> None:
    """Points pytensor's ``base_compiledir`` at :func:`compile_cache_dir`.

    Does nothing when ``PYTENSOR_FLAGS`` already names a compile directory (the
    user's choice wins) or pytensor is already imported (its configuration is read
    once, at import).
    """
    flags = os.environ.get(FLAGS_VARIABLE, "")
    if "compiledir" in flags or "pytensor" in sys.modules:
        return
    setting = f"base_compiledir={compile_cache_dir()}"
    os.environ[FLAGS_VARIABLE] = f"{flags},{setting}" if flags else setting
