"""The one place where the project quiets console output a user cannot act on.

- Warnings of libraries that nothing in this project can change are filtered,
  each with the reason (``THIRD_PARTY_WARNINGS``).
- Log lines that say nothing a user can act on are demoted to DEBUG
  (``DEMOTED_LOGS``): Kedro's INFO line per parameter load, kedro-viz's
  warning for each preview of a dataset no run has written yet.
- Outside a terminal (a file, a pipe, CI), logs are plain text, one line per
  record, instead of Rich's columns wrapped at 80 characters.

``settings.py`` calls :func:`quiet_output` before Kedro builds the session, so
``kedro run``, ``kedro viz`` and the notebooks (``%load_ext kedro.ipython``)
start quiet; pytest applies the same warning list (``tests/conftest.py``) and
turns the project's own warnings into errors (``pyproject.toml``).
"""

from __future__ import annotations

import logging
import re
import warnings

# (action, message regex, category, module regex, why)
THIRD_PARTY_WARNINGS: tuple[tuple[str, str, type[Warning], str, str], ...] = (
    (
        "ignore",
        r"register_new_resolver\(\) is deprecated",
        UserWarning,
        r"kedro\.config\.omegaconf_config|kedro_mlflow\..*",
        "Kedro 1.7 and kedro-mlflow 2.0 register their resolvers with the OmegaConf "
        "call that OmegaConf 2.4 deprecates; the project registers none.",
    ),
    (
        "ignore",
        r"Arrow output on a DB-API result makes an extra copy",
        UserWarning,
        r"customer_segmentation\.api\.rows",
        "DuckDB advises reading large results through a relation; the API reads "
        "each small request's rows with one execute, which is faster, and the one "
        "copy of a few rows costs nothing.",
    ),
    (
        "ignore",
        r".*Add type hints to the `predict` method",
        UserWarning,
        r"mlflow\..*",
        "kedro-mlflow's KedroPipelineModel (unused here) has no type hints; "
        "MLflow warns when the class is defined.",
    ),
    (
        "ignore",
        r"Support for class-based `config` is deprecated",
        DeprecationWarning,
        r"kedro_mlflow\..*|pydantic\..*",
        "kedro-mlflow 2.0's configuration models use pydantic 1's class-based config.",
    ),
    (
        "ignore",
        r"The ``noload`` loader strategy is deprecated",
        DeprecationWarning,
        r"mlflow\..*|sqlalchemy\..*",
        "MLflow 3.17's SQLite store uses a SQLAlchemy 2.1 loader it deprecates.",
    ),
    (
        "ignore",
        r"ORJSONResponse is deprecated",
        Warning,
        r"kedro_viz\..*|fastapi\..*",
        "kedro-viz 12.5 imports FastAPI's ORJSONResponse, which FastAPI 0.165 deprecates.",
    ),
    (
        "ignore",
        r"fetch_arrow_table\(\) is deprecated",
        DeprecationWarning,
        r"ibis\..*",
        "ibis 12 calls the DuckDB method that DuckDB 1.5 renames.",
    ),
    (
        "ignore",
        r"Inferred schema contains integer column",
        UserWarning,
        r"mlflow\..*",
        "The logged model's signature takes model_input's own integer columns, "
        "which hold no missing values.",
    ),
    (
        "ignore",
        r"Using `httpx` with `starlette\.testclient` is deprecated",
        UserWarning,  # Starlette's deprecation warnings are UserWarnings
        r"fastapi\..*|starlette\..*",
        "FastAPI's test client (tests only) imports Starlette's, which prefers httpx2.",
    ),
    (
        "ignore",
        r"Accessing the 'model_fields' attribute on the instance is deprecated",
        DeprecationWarning,
        r"kedro\.validation\..*",
        "Kedro 1.7's parameter validation reads a pydantic attribute pydantic 2.11 "
        "deprecates.",
    ),
    (
        "ignore",
        r"IProgress not found",
        Warning,
        r"tqdm\..*",
        "tqdm (imported by MLflow and PyMC) looks for Jupyter widgets, which the "
        "notebooks do not use.",
    ),
    (
        "ignore",
        r"The 'future\.infer_string' option is deprecated",
        Warning,
        r"ibis\..*",
        "ibis 12 reads a pandas option that pandas 3 deprecates.",
    ),
    (
        "ignore",
        r"The copy keyword is deprecated",
        Warning,
        r"pyspark\..*",
        "pyspark 4.0 converts to pandas with astype(copy=False), which pandas 3 "
        "deprecates (Spark engine only).",
    ),
    (
        "ignore",
        r"Series\.values returning an ndarray that drops timezone information",
        Warning,
        r"pandas\..*",
        "pyspark 4.0's pandas conversion reads Series.values of time-zone-aware "
        "columns (Spark engine only); the project's code does not.",
    ),
)


class UnactionableWarnings(logging.Filter):
    """Drops the listed warnings from ``py.warnings``, where Kedro logs warnings.

    Needed besides the warning filters because MLflow wraps some of its calls in
    ``warnings.simplefilter("once")``, which takes precedence over earlier filters.
    """

    def __init__(self) -> None:
        super().__init__("py.warnings")
        self._messages = [re.compile(entry[1]) for entry in THIRD_PARTY_WARNINGS]

    def filter(self, record: logging.LogRecord) -> bool:
        """Keeps a record unless it is one of the listed warnings.

        Args:
            record: A log record of the ``py.warnings`` logger.

        Returns:
            ``False`` for a listed warning, ``True`` otherwise.
        """
        text = record.getMessage()
        return not any(message.search(text) for message in self._messages)


class Demote(logging.Filter):
    """Turns the matching INFO or WARNING records of one logger into DEBUG ones.

    Args:
        pattern: Regular expression searched in the formatted message.
    """

    def __init__(self, pattern: str) -> None:
        super().__init__()
        self.pattern = re.compile(pattern)

    def filter(self, record: logging.LogRecord) -> bool:
        """Demotes a matching record and keeps it only if DEBUG is enabled.

        Args:
            record: A record of the logger this filter is on.

        Returns:
            Whether the record is still emitted.
        """
        if record.levelno > logging.DEBUG and self.pattern.search(record.getMessage()):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


# logger name -> what is demoted to DEBUG there, and why.
DEMOTED_LOGS: dict[str, tuple[str, str]] = {
    "kedro.io.data_catalog": (
        r"^Loading data from (params:|parameters )",
        "one INFO line per parameter a node reads",
    ),
    "kedro_viz.models.flowchart.node_metadata": (
        r"could not be previewed\. Full exception: FileNotFoundError",
        "kedro viz build --include-previews on outputs that no run has written yet "
        "(inference's, before a batch scoring run)",
    ),
}


PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def use_plain_logs_outside_terminal() -> None:
    """Replaces Rich handlers that do not write to a terminal by plain ones."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        console = getattr(handler, "console", None)
        if console is None or console.is_terminal or console.is_jupyter:
            continue
        plain = logging.StreamHandler(console.file)
        plain.setLevel(handler.level)
        plain.setFormatter(logging.Formatter(PLAIN_FORMAT))
        root.removeHandler(handler)
        root.addHandler(plain)


def _add_once(logger: logging.Logger, new: logging.Filter) -> None:
    if not any(type(f) is type(new) for f in logger.filters):
        logger.addFilter(new)


def quiet_output() -> None:
    """Installs every filter of this module (idempotent)."""
    for action, message, category, module, _why in THIRD_PARTY_WARNINGS:
        warnings.filterwarnings(
            action, message=message, category=category, module=module
        )
    _add_once(logging.getLogger("py.warnings"), UnactionableWarnings())
    for name, (pattern, _why) in DEMOTED_LOGS.items():
        _add_once(logging.getLogger(name), Demote(pattern))
    use_plain_logs_outside_terminal()
