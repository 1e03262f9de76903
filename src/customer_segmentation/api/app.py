"""FastAPI application that serves segment assignments from a loaded scoring service.

The event loop only moves bytes: parsing, validation, scoring and serialisation of
``POST /v1/segments`` run on the service's scoring threads, so one large request
never holds up ``/health`` or a small request.
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pydantic_core
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel

from customer_segmentation import __version__
from customer_segmentation.pipelines.data_processing.errors import (
    InputValidationError,
)

from .batching import ScoringBatcher
from .middleware import AccessLog, BodySizeLimit
from .parsing import (
    MAX_MESSAGE,
    BodyParser,
    FeatureRequest,
    InvalidBody,
    RequestModel,
    TransactionRequest,
)
from .schemas import (
    ErrorMessage,
    FeatureSpec,
    Health,
    ModelInfo,
    SegmentName,
    SegmentsResponse,
    ValidationErrors,
)
from .service import RequestRefused, Scored, ScoringService

logger = logging.getLogger(__name__)

JSON = "application/json"
JSON_CHUNK = 2000


def json_list(items: list[Any], chunk: int = JSON_CHUNK) -> bytes:
    """A JSON array written a few thousand items at a time.

    One serialiser call holds the interpreter lock until it returns; for the
    answer of a maximum-size request that is a quarter of a second in which no
    other request is answered.

    Args:
        items: JSON-ready values.
        chunk: Items per serialiser call.

    Returns:
        The same bytes as one call would write.
    """
    parts = [
        pydantic_core.to_json(items[start : start + chunk])[1:-1]
        for start in range(0, len(items), chunk)
    ]
    return b"[%s]" % b",".join(parts)


def _refusal(loc: list[Any], message: str) -> JSONResponse:
    detail = [{"loc": loc, "msg": message[:MAX_MESSAGE], "type": "value_error"}]
    return JSONResponse(status_code=422, content={"detail": detail})


def _model_info(service: ScoringService) -> ModelInfo:
    n_segments = int(service.model.n_segments_)
    return ModelInfo(
        model_version=service.model_version,
        environment=service.bundle.environment,
        fingerprint=service.bundle.fingerprint,
        algorithm=service.algorithm,
        n_segments=n_segments,
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
            for segment in range(n_segments)
        ],
        max_customers=service.settings.max_customers,
        max_transactions=service.settings.max_transactions,
        max_body_bytes=service.settings.max_body_bytes,
    )


def _documented_body(app: FastAPI, request_model: type[BaseModel]) -> None:
    # The body is parsed on a scoring thread, not by FastAPI, so its schema is
    # added to the OpenAPI document here.
    schema = request_model.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    definitions = schema.pop("$defs", {}) | {request_model.__name__: schema}
    build = app.openapi

    def openapi() -> dict[str, Any]:
        document = build()
        document.setdefault("components", {}).setdefault("schemas", {}).update(
            definitions
        )
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def answer(service: ScoringService, scored: Scored) -> bytes:
    """The body of a ``POST /v1/segments`` answer.

    Args:
        service: The loaded scoring service (its model version).
        scored: The scored request.

    Returns:
        The JSON object: model version, reference date, data quality, segments.
    """
    head = pydantic_core.to_json(
        {
            "model_version": service.model_version,
            "reference_date": scored.reference_date,
            "data_quality": scored.data_quality,
        }
    )
    return b'%s,"segments":%s}' % (head[:-1], json_list(scored.segments))


def score_transactions(
    service: ScoringService, parsed: TransactionRequest
) -> tuple[bytes, int]:
    """Scores a parsed transaction request on the calling (scoring) thread.

    Args:
        service: The loaded scoring service.
        parsed: The request's lines, attributes and reference date.

    Returns:
        The answer's body and the number of customers scored.
    """
    scored = service.score_transactions(
        parsed.lines, parsed.reference_date, parsed.attributes
    )
    return answer(service, scored), len(scored.segments)


def request_model(service: ScoringService) -> RequestModel:
    """What the ``POST /v1/segments`` body model of a service is built from.

    Args:
        service: The loaded scoring service.

    Returns:
        Its feature domains, attribute columns and list-length limits.
    """
    schema = service.attributes_schema
    return RequestModel(
        domains=service.domains,
        categorical=service.categorical,
        limits=service.settings,
        attribute_types=service.attribute_types,
        numeric_attributes=schema.numeric,
        categorical_attributes=schema.categorical,
        date_attributes=schema.dates,
    )


def create_app(service: ScoringService) -> FastAPI:
    """Builds the HTTP API around a loaded scoring service.

    Args:
        service: Pipeline, model, names and settings, loaded once (see
            ``load_scoring_service``).

    Returns:
        The FastAPI application with ``POST /v1/segments``, ``GET /v1/model``,
        ``GET /health`` and the offline ``/docs`` and ``/redoc``.
    """
    settings = service.settings
    parser = BodyParser(request_model(service))
    segments_request = parser.model
    batcher = ScoringBatcher(service.score_feature_records, settings.max_customers)
    model_info = _model_info(service)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await batcher.start()
        parser.start()
        yield
        await batcher.stop()
        parser.close()

    app = FastAPIOffline(
        lifespan=lifespan,
        title="Customer segmentation",
        version=__version__,
        description="Assigns customers to the segments of the saved model by "
        "running the inference pipeline's own nodes on each request.",
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(AccessLog)
    _documented_body(app, segments_request)

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
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    JSON: {
                        "schema": {
                            "$ref": f"#/components/schemas/{segments_request.__name__}"
                        }
                    }
                },
            }
        },
        responses={
            400: {"model": ErrorMessage, "description": "Body is not JSON"},
            413: {"model": ErrorMessage, "description": "Body over the size limit"},
            422: {
                "model": ValidationErrors,
                "description": "A field or the pipeline's rules refuse the input",
            },
            500: {
                "model": ErrorMessage,
                "description": "Scoring failed for a reason other than the input; "
                "the server log has the cause under the request id",
            },
        },
    )
    async def assign_segments(request: Request) -> Response:
        """Assigns segments from feature values or from raw transactions."""
        loop = asyncio.get_running_loop()
        body = await request.body()
        parsed = await loop.run_in_executor(service.executor, parser.parse, body)
        if isinstance(parsed, InvalidBody):
            return JSONResponse(status_code=parsed.status, content=parsed.content)
        try:
            if isinstance(parsed, FeatureRequest):
                scored = Scored(await batcher.score(parsed.rows))
                content = await loop.run_in_executor(
                    service.executor, answer, service, scored
                )
                customers = len(parsed.rows)
            else:
                content, customers = await loop.run_in_executor(
                    service.executor, score_transactions, service, parsed
                )
        except RequestRefused as error:
            return _refusal(list(error.loc), str(error))
        except InputValidationError as error:
            # Input the schema accepts but the pipeline's own rules refuse.
            logger.info("Rejected %s: %s", request.url.path, error)
            return _refusal(["body"], str(error))
        except Exception:
            # Not the caller's input: the log has the traceback under the
            # request id; the answer names only the id, never the data.
            request_id = getattr(request.state, "request_id", None)
            logger.exception("Request %s failed while scoring", request_id)
            return JSONResponse(
                status_code=500,
                content={
                    "detail": f"internal error while scoring (request id "
                    f"{request_id}); the server log has the cause"
                },
            )
        request.state.customers = customers
        return Response(content=content, media_type=JSON)

    return app
