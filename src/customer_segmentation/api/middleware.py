"""ASGI middleware of the API: a body-size limit enforced while reading, and one access log line per request."""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

ACCESS_LOGGER = "customer_segmentation.api.access"
REQUEST_ID_HEADER = b"x-request-id"
MAX_REQUEST_ID = 64

access_logger = logging.getLogger(ACCESS_LOGGER)


class _BodyTooLarge(Exception):
    pass


async def _send_error(send: Any, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodySizeLimit:
    """Answers 413 to a body larger than ``max_bytes``, before it is parsed.

    A declared ``Content-Length`` over the limit is refused without reading the
    body; a chunked body is counted while it arrives and refused once it passes
    the limit.

    Args:
        app: The wrapped ASGI application.
        max_bytes: Largest body accepted.
    """

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await _send_error(send, 400, "Content-Length is not a number")
                return
            if int(declared) > self.max_bytes:
                await _send_error(send, 413, self._message(int(declared)))
                return
        received = 0

        async def limited_receive() -> dict:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _BodyTooLarge:
            await _send_error(send, 413, self._message(received))

    def _message(self, size: int) -> str:
        return (
            f"request body of {size} bytes or more is larger than the limit of "
            f"{self.max_bytes} bytes (api.max_body_bytes); send fewer customers "
            "or lines per request"
        )


class AccessLog:
    """Writes one JSON line per request: id, method, path, status, customers, latency.

    The request id is the caller's ``X-Request-ID`` (first 64 characters) or a new
    one, and is returned in the same header and kept in ``request.state.request_id``
    for the endpoint's own log lines. ``customers`` is what the endpoint put in
    ``request.state.customers`` (null for other endpoints).

    Args:
        app: The wrapped ASGI application.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        given = dict(scope["headers"]).get(REQUEST_ID_HEADER, b"")
        request_id = given.decode("latin-1")[:MAX_REQUEST_ID] or uuid.uuid4().hex
        status = 500
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", [])]
                headers.append((REQUEST_ID_HEADER, request_id.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            access_logger.info(
                json.dumps(
                    {
                        "request_id": request_id,
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "customers": scope.get("state", {}).get("customers"),
                        "latency_ms": round((time.perf_counter() - started) * 1000, 2),
                    }
                )
            )
