"""Command line entry point: ``python -m customer_segmentation.api`` starts the service."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from .middleware import ACCESS_LOGGER

logger = logging.getLogger(__name__)

NODE_LOGGERS = ("kedro.pipeline.node", "customer_segmentation.pipelines")
# How a server process started by uvicorn learns what to serve.
SERVING_OPTIONS = "CUSTOMER_SEGMENTATION_API_OPTIONS"


def configure_server_logging(level: str) -> None:
    """One JSON access line per request; no per-request pipeline progress lines.

    Args:
        level: Level of the access log (``INFO`` writes it).
    """
    # Every request runs the pipeline's nodes; their progress lines would drown
    # the access log and cost more than a small request's scoring.
    for name in NODE_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    # One JSON object per line, whatever handlers the Kedro session set up.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access = logging.getLogger(ACCESS_LOGGER)
    access.handlers = [handler]
    access.setLevel(level)
    access.propagate = False


def main(argv: list[str] | None = None) -> None:
    """Loads the environment's model bundle through the Kedro catalog and serves it.

    Args:
        argv: Command line arguments; ``None`` reads ``sys.argv``. ``HOST`` and
            ``PORT`` environment variables set the defaults.
    """
    parser = argparse.ArgumentParser(
        prog="customer-segmentation-serve", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--project-path", type=Path, default=Path.cwd())
    parser.add_argument(
        "--env",
        default=os.environ.get("KEDRO_ENV"),
        help="Kedro configuration environment whose model bundle is served",
    )
    parser.add_argument(
        "--model-version",
        default=None,
        help="version of the environment's model_bundle to serve "
        "(default: the latest published)",
    )
    parser.add_argument("--log-level", default="info")
    parser.add_argument(
        "--processes",
        type=int,
        default=int(os.environ.get("API_PROCESSES", "1")),
        help="server processes sharing the port, each with the model loaded and "
        "api.workers scoring threads (requests per second grow with them, "
        "memory too)",
    )
    arguments = parser.parse_args(argv)
    if arguments.processes < 1:
        parser.error(f"--processes {arguments.processes}: give 1 or more")
    options = {
        "project_path": str(arguments.project_path),
        "env": arguments.env,
        "model_version": arguments.model_version,
        "log_level": arguments.log_level,
    }
    server = {
        "host": arguments.host,
        "port": arguments.port,
        "log_level": arguments.log_level,
        "access_log": False,
    }
    if arguments.processes == 1:
        uvicorn.run(serving_app(options), **server)
        return
    # Each process loads the service itself: a scoring connection and the
    # interpreter lock are per process, which is what lets processes add
    # throughput where threads of one process do not.
    os.environ[SERVING_OPTIONS] = json.dumps(options)
    uvicorn.run(
        "customer_segmentation.api.__main__:serving_app_from_environment",
        factory=True,
        workers=arguments.processes,
        **server,
    )


def serving_app(options: dict[str, str | None]) -> FastAPI:
    """Loads the environment's model bundle and builds the app that serves it.

    Args:
        options: ``project_path``, ``env``, ``model_version`` and ``log_level``
            (see :func:`main`).

    Returns:
        The app.
    """
    # Imported here: the parent of several server processes serves nothing.
    from .app import create_app  # noqa: PLC0415
    from .service import load_scoring_service  # noqa: PLC0415

    log_level = (options["log_level"] or "info").upper()
    logging.basicConfig(level=log_level, format="%(message)s")
    service = load_scoring_service(
        options["project_path"], options["env"], options["model_version"]
    )
    configure_server_logging(log_level)
    # The project, model and libraries live as long as the server: the
    # collector need not walk them again in every full collection, which
    # otherwise holds the interpreter lock for most of a second.
    gc.freeze()
    return create_app(service)


def serving_app_from_environment() -> FastAPI:
    """:func:`serving_app` of a server process that uvicorn started (``--processes``)."""
    return serving_app(json.loads(os.environ[SERVING_OPTIONS]))


if __name__ == "__main__":
    main()
