"""FastAPI application that serves segment assignments from a loaded scoring service."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from customer_segmentation import __version__

from .batching import ScoringBatcher
from .schemas import (
    ErrorMessage,
    FeatureSpec,
    Health,
    ModelInfo,
    SegmentName,
    SegmentsResponse,
    build_customer_attributes,
    build_segments_request,
)
from .service import ScoringService

logger = logging.getLogger(__name__)


def create_app(service: ScoringService) -> FastAPI:
    """Builds the HTTP API around a loaded scoring service.

    Args:
        service: Model, names and settings, loaded once (see
            ``load_scoring_service``).

    Returns:
        The FastAPI application with ``POST /v1/segments``, ``GET /v1/model`` and
        ``GET /health``.
    """
    schema = service.customers_schema
    segments_request = build_segments_request(
        service.feature_names,
        service.categorical,
        service.limits.max_customers,
        service.limits.max_transactions,
        build_customer_attributes(schema.numeric, schema.categorical, schema.dates),
    )
    batcher = ScoringBatcher(
        service.score_feature_records, service.limits.max_customers
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await batcher.start()
        yield
        await batcher.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="Customer segmentation",
        version=__version__,
        description="Assigns customers to the segments of the saved model, with "
        "the same feature and scoring code as the batch inference pipeline.",
    )
    model_info = ModelInfo(
        model_version=service.model_version,
        environment=service.bundle.environment,
        fingerprint=service.bundle.fingerprint,
        algorithm=service.algorithm,
        n_segments=int(service.model.n_segments_),
        features=[
            FeatureSpec(
                name=name,
                kind="categorical" if name in service.categorical else "numeric",
            )
            for name in service.feature_names
        ],
        segment_names=[
            SegmentName(
                segment_id=segment,
                **service.names_by_segment.get(
                    segment, {"segment_name": None, "recommended_action": None}
                ),
            )
            for segment in range(int(service.model.n_segments_))
        ],
        max_customers=service.limits.max_customers,
        max_transactions=service.limits.max_transactions,
    )

    @app.exception_handler(ValueError)
    async def _reject_unscorable(request: Request, error: ValueError) -> JSONResponse:
        # Input the schema accepts but the pipeline's own checks reject; same
        # body shape as a validation error, so clients parse one format.
        logger.info("Rejected %s: %s", request.url.path, error)
        detail = [{"loc": ["body"], "msg": str(error), "type": "value_error"}]
        return JSONResponse(status_code=422, content={"detail": detail})

    @app.get("/health", response_model=Health, tags=["service"])
    def health() -> Health:
        """Says the service is up (and the model loaded)."""
        return Health(status="ok")

    @app.get("/v1/model", response_model=ModelInfo, tags=["segments"])
    def describe_model() -> ModelInfo:
        """Describes the served bundle: version, environment, fingerprint, model, names."""
        return model_info

    @app.post(
        "/v1/segments",
        response_model=SegmentsResponse,
        tags=["segments"],
        responses={400: {"model": ErrorMessage, "description": "Body is not JSON"}},
    )
    async def assign_segments(body: segments_request) -> dict[str, Any]:  # type: ignore[valid-type]
        """Assigns segments from feature values or from raw transactions."""
        if body.customers is not None:
            scored = await batcher.score(
                [customer.model_dump() for customer in body.customers]
            )
        else:
            scored = await run_in_threadpool(
                service.score_transaction_records,
                [line.model_dump() for line in body.transactions],
                body.reference_date,
                None
                if body.attributes is None
                else [row.model_dump() for row in body.attributes],
            )
        # A plain dict: FastAPI validates it once against SegmentsResponse.
        return {"model_version": service.model_version, "segments": scored}

    return app
