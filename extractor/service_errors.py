"""The HTTP service's errors: the status and code of each, the one JSON body they are answered with,
and the middleware that refuses a body over the size limit before holding it all."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from .errors import (
    CorruptInputError, EmptyInputError, EncryptedInputError, Form4Error, InputError, ModelError, NotAFormError,
    TooLargeError, UnsupportedFormatError, XmlError,
)

if TYPE_CHECKING:
    from .service import ServiceSettings

_ENVELOPE = 2 * 1024 * 1024  # room for the multipart envelope (and a sample's record) around a document

# Every error a client can cause, its status and code; the first class that matches wins.
ERROR_STATUS: list[tuple[type[Exception], int, str]] = [
    (EmptyInputError, 400, "empty_input"),
    (UnsupportedFormatError, 415, "unsupported_format"),
    (TooLargeError, 413, "too_large"),
    (EncryptedInputError, 422, "encrypted_input"),
    (CorruptInputError, 422, "corrupt_input"),
    (NotAFormError, 422, "not_a_form"),
    (XmlError, 422, "invalid_xml"),
    (InputError, 422, "unreadable_input"),
    (ModelError, 422, "model_unavailable"),
]


def error_status(exc: BaseException) -> tuple[int, str]:
    for cls, status, code in ERROR_STATUS:
        if isinstance(exc, cls):
            return status, code
    return 500, "internal_error"


class ServiceError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


class ErrorDetail(BaseModel):
    status: int
    code: str = Field(description="A stable name of the problem, e.g. `unsupported_format`.")
    message: str = Field(description="One line naming the upload and the reason.")


class ErrorBody(BaseModel):
    error: ErrorDetail


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": {"status": status, "code": code, "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


class BodyTooLarge(Exception):
    def __init__(self, limit: int):
        super().__init__(f"the upload is over the limit of {limit:,} bytes")


class BodyLimit:
    """ASGI middleware: a request body over the limit is answered 413 before it is all held in memory.

    The rest of the body is read and dropped (up to a bound), so the client gets to read the
    answer instead of a reset connection.
    """

    def __init__(self, app: Any, settings: "ServiceSettings"):
        self.app = app
        self.settings = settings

    def limit(self, path: str) -> tuple[int, int]:
        """The bytes a request body may have, and the limit its 413 names."""
        if path.rstrip("/") == "/v1/jobs":
            return self.settings.max_batch_bytes, self.settings.max_batch_bytes
        # Room for the multipart envelope (and, for a sample, its record) around the document.
        return self.settings.max_upload_bytes + _ENVELOPE, self.settings.max_upload_bytes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, shown = self.limit(scope["path"])
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _drain(receive, 4 * limit)
            await error_response(413, "too_large", str(BodyTooLarge(shown)))(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> dict:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    if message.get("more_body"):
                        await _drain(receive, 4 * limit)
                    raise BodyTooLarge(shown)
            return message

        await self.app(scope, limited_receive, send)


async def _drain(receive: Any, budget: int) -> None:
    while budget > 0:
        message = await receive()
        if message["type"] != "http.request":
            return
        budget -= len(message.get("body", b""))
        if not message.get("more_body"):
            return


def add_error_handlers(app: FastAPI) -> None:
    """Every error answered with the one JSON body, its status and code from `ERROR_STATUS`."""
    @app.exception_handler(ServiceError)
    async def service_error(_: Request, exc: ServiceError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(Form4Error)
    async def form4_error(_: Request, exc: Form4Error) -> JSONResponse:
        status, code = error_status(exc)
        return error_response(status, code, str(exc))

    @app.exception_handler(BodyTooLarge)
    async def too_large(_: Request, exc: BodyTooLarge) -> JSONResponse:
        return error_response(413, "too_large", str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{' '.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors())
        return error_response(422, "invalid_request", problems or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, "http_error", str(exc.detail), getattr(exc, "headers", None))
