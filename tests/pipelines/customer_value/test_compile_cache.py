"""pytensor keeps the value models' compiled code in the user's cache, unless told otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PRINT_COMPILE_DIR = (
    "import customer_segmentation.pipelines.customer_value, pytensor; "
    "print(pytensor.config.base_compiledir)"
)


def _compile_dir(environment: dict[str, str]) -> Path:
    # A fresh interpreter: pytensor reads its settings once, at import.
    result = subprocess.run(
        [sys.executable, "-c", PRINT_COMPILE_DIR],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(result.stdout.strip().splitlines()[-1])


def test_compiled_code_goes_to_the_users_cache(tmp_path: Path):
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    environment.pop("PYTENSOR_FLAGS", None)

    compile_dir = _compile_dir(environment)

    assert compile_dir == tmp_path / "customer-segmentation" / "pytensor-2"


def test_a_compile_dir_in_pytensor_flags_wins(tmp_path: Path):
    chosen = tmp_path / "mine"
    environment = {
        **os.environ,
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PYTENSOR_FLAGS": f"base_compiledir={chosen}",
    }

    assert _compile_dir(environment) == chosen
