"""Command line entry point: ``python -m customer_segmentation.api`` starts the service."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from pathlib import Path

import uvicorn

from .app import create_app
from .middleware import ACCESS_LOGGER
from .service import load_scoring_service

logger = logging.getLogger(__name__)

NODE_LOGGERS = ("kedro.pipeline.node", "customer_segmentation.pipelines")


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
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=arguments.log_level.upper(), format="%(message)s")
    service = load_scoring_service(
        arguments.project_path, arguments.env, arguments.model_version
    )
    configure_server_logging(arguments.log_level.upper())
    # The project, model and libraries live as long as the server: the
    # collector need not walk them again in every full collection, which
    # otherwise holds the interpreter lock for most of a second.
    gc.freeze()
    uvicorn.run(
        create_app(service),
        host=arguments.host,
        port=arguments.port,
        log_level=arguments.log_level,
        access_log=False,
    )


if __name__ == "__main__":
    main()
