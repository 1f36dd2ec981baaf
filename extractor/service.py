"""The HTTP extraction service (`form4 serve`): FastAPI over the same pipeline as `form4 extract`.

Extraction runs in a process pool, so OCR never blocks the event loop and a reader that
crashes on a hostile PDF takes down a pool process, never the server. Inputs are told apart
by their bytes alone; a client's file name is only ever shown, never used as a path.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from fastapi import Depends, FastAPI, Query, Request, Security
from fastapi.responses import FileResponse, Response
from fastapi.security import APIKeyHeader
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import __version__
from .errors import Form4Error
from .jobs import BatchDocument, BatchLimits, JobView, Outcome, create_job, display_name, ensure_tables, job_view
from .jobs import run_job, unpack_batch
from .page_images import DocumentView, PageImageSettings, ReviewResult, SavedSample, review_result, save_labeled_sample
from .pipeline import METHODS, ExtractSettings
from .records import Record
from .service_errors import BodyLimit, ErrorBody, ServiceError, add_error_handlers, error_status

STATIC_DIR = Path(__file__).parent / "static"
API_KEY_HEADER = "X-API-Key"
MB = 1024 * 1024

ERROR_TABLE = (
    "Errors have the body `{\"error\": {\"status\", \"code\", \"message\"}}`; the message names the upload "
    "and the reason. 400 `empty_input` (no bytes, or only white space; or no `file` part), 401 `unauthorized` "
    "(API key missing or wrong), 413 `too_large` (over the upload size, page or pixel limit, or the time "
    "limit), 415 "
    "`unsupported_format` (not a PDF, image, text, HTML or XML document, told from the content), 422 "
    "`corrupt_input`, `encrypted_input`, `not_a_form`, `invalid_xml`, `unreadable_input` (the document cannot "
    "be read), `model_unavailable` (method=model with no trained model installed), `reader_crashed`, or "
    "`invalid_request` (a bad parameter), 429 `busy` (all extraction slots taken; retry after the "
    "Retry-After seconds)."
)


@dataclass(frozen=True)
class ServiceSettings:
    store_path: Path = Path("form4-results.sqlite")
    samples_dir: Path | None = None  # where the review page saves corrected records; None turns saving off
    api_key: str | None = None  # when set, every /v1 call but health needs it in the X-API-Key header
    max_upload_bytes: int = 20 * MB
    max_batch_bytes: int = 200 * MB
    max_batch_files: int = 100
    max_pages: int = 20
    processes: int = 2  # extraction processes per server worker
    max_in_flight: int = 16  # extraction requests at once per worker; more get 429
    max_active_jobs: int = 4
    low_confidence: float = 0.8  # the review page highlights values below this
    review_width_px: int = 1100
    evaluation_path: Path | None = None  # JSON of evaluation figures shown by /v1/model
    timeout_seconds: float = 120.0  # per document; a scan page takes a few seconds

    def __post_init__(self) -> None:
        if self.max_upload_bytes < 1024 or self.max_batch_bytes < self.max_upload_bytes:
            raise ValueError("max_upload_bytes must be at least 1 KiB and max_batch_bytes at least as large, "
                             f"not {self.max_upload_bytes} and {self.max_batch_bytes}")
        for name in ("max_batch_files", "max_pages", "processes", "max_in_flight", "max_active_jobs"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")
        if self.timeout_seconds <= 0:
            raise ValueError(f"timeout_seconds must be positive, not {self.timeout_seconds}")
        if not 0.0 <= self.low_confidence <= 1.0:
            raise ValueError(f"low_confidence must be in [0, 1], not {self.low_confidence}")
        if self.api_key is not None and len(self.api_key) < 8:
            raise ValueError("api_key must be at least 8 characters (or unset to turn the check off)")
        PageImageSettings(width_px=self.review_width_px)  # validates the width

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "ServiceSettings":
        """Settings from FORM4_* environment variables; unset ones keep their defaults."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        paths = {"FORM4_STORE": "store_path", "FORM4_SAMPLES_DIR": "samples_dir", "FORM4_EVALUATION": "evaluation_path"}
        for var, name in paths.items():
            if env.get(var):
                values[name] = Path(env[var])
        if env.get("FORM4_API_KEY"):
            values["api_key"] = env["FORM4_API_KEY"]
        numbers = {"FORM4_MAX_PAGES": "max_pages", "FORM4_PROCESSES": "processes",
                   "FORM4_MAX_IN_FLIGHT": "max_in_flight", "FORM4_MAX_BATCH_FILES": "max_batch_files"}
        for var, name in numbers.items():
            if env.get(var):
                values[name] = _env_int(env, var)
        if env.get("FORM4_MAX_UPLOAD_MB"):
            values["max_upload_bytes"] = _env_int(env, "FORM4_MAX_UPLOAD_MB") * MB
            values["max_batch_bytes"] = max(cls.max_batch_bytes, 10 * values["max_upload_bytes"])
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The FORM4_* variables `from_env` reads back: how `form4 serve` hands settings to its workers."""
        env = {"FORM4_STORE": str(self.store_path), "FORM4_MAX_PAGES": str(self.max_pages),
               "FORM4_PROCESSES": str(self.processes), "FORM4_MAX_IN_FLIGHT": str(self.max_in_flight),
               "FORM4_MAX_BATCH_FILES": str(self.max_batch_files),
               "FORM4_MAX_UPLOAD_MB": str(max(1, self.max_upload_bytes // MB))}
        for var, value in (("FORM4_SAMPLES_DIR", self.samples_dir), ("FORM4_EVALUATION", self.evaluation_path),
                           ("FORM4_API_KEY", self.api_key)):
            if value is not None:
                env[var] = str(value)
        return env


def _env_int(env: Any, var: str) -> int:
    try:
        return int(env[var])
    except ValueError:
        raise ValueError(f"{var} must be a whole number, not {env[var]!r}") from None


# ---- work done in the extraction processes -------------------------------------------------


@dataclass(frozen=True)
class WorkResult:
    """What a pool process sends back: plain data, so that nothing of ours depends on pickling errors."""

    seconds: float
    record_json: str | None = None
    status: int = 200
    code: str | None = None
    message: str | None = None
    view: DocumentView | None = None


def _init_process() -> None:
    from .layout.ocr import one_thread_per_process

    one_thread_per_process()  # a library's own threads would fight the other processes
    _die_with_parent()
    # Imported once per process, so the first document does not pay for it.
    from . import page_images, pipeline, rules  # noqa: F401
    from .layout import ocr, pdf  # noqa: F401


def _die_with_parent() -> None:
    # A pool process whose server was killed outright would otherwise wait for work forever (Linux only).
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def extract_work(data: bytes, source: str, method: str, max_pages: int, view_width: int | None = None) -> WorkResult:
    """Extract one document (and, for the review page, its picture); never raises."""
    from .page_images import document_view
    from .pipeline import extract_bytes

    start = time.perf_counter()
    try:
        record = extract_bytes(data, source, ExtractSettings(method=method, max_pages=max_pages))
        view = None
        if view_width:
            view = document_view(data, source, PageImageSettings(width_px=view_width, max_pages=max_pages))
        return WorkResult(time.perf_counter() - start, record_json=record.model_dump_json(), view=view)
    except Exception as exc:  # a reader's bug fails this document, never the process
        if not isinstance(exc, Form4Error):
            logging.getLogger(__name__).exception("%s: extraction failed unexpectedly", source)
        status, code = error_status(exc)
        message = str(exc) if isinstance(exc, Form4Error) else f"{source}: internal error ({type(exc).__name__})"
        return WorkResult(time.perf_counter() - start, status=status, code=code, message=message)


def _warm() -> bool:
    return True


# ---- the running service -----------------------------------------------------------------


@dataclass
class ModelInfo:
    version: str
    installed: bool
    evaluation: dict[str, Any] | None
    message: str


def load_model(settings: ServiceSettings) -> ModelInfo:
    """The model this worker serves, loaded once; without a trained one, the rules answer."""
    version = _model_version(ExtractSettings(method="auto", max_pages=settings.max_pages))
    evaluation = None
    if settings.evaluation_path is not None and settings.evaluation_path.is_file():
        evaluation = json.loads(settings.evaluation_path.read_text(encoding="utf-8"))
    from .model import auto_strategy, model_installed, model_meta

    if not model_installed():
        return ModelInfo(version=version, installed=False, evaluation=evaluation,
                         message="no trained model is installed: method auto uses the rules, method model answers 422")
    meta = model_meta()
    evaluation = evaluation or {key: meta.get(key) for key in ("dev_scores", "heldout_dev_scores", "real_samples_wrong_fields")}
    return ModelInfo(version=version, installed=True, evaluation=evaluation,
                     message=f"model {meta.get('name', 'default')} installed; method auto uses {auto_strategy()}")


def _model_version(settings: ExtractSettings) -> str:
    from .bulk import model_version

    return model_version(settings)


@dataclass
class ServiceState:
    settings: ServiceSettings
    model: ModelInfo
    pool: ProcessPoolExecutor
    store: Any
    in_flight: int = 0
    active_jobs: int = 0
    job_tasks: set[asyncio.Task] = field(default_factory=set)
    job_slots: asyncio.Semaphore | None = None

    def take_slot(self) -> None:
        if self.in_flight >= self.settings.max_in_flight:
            raise ServiceError(429, "busy", f"all {self.settings.max_in_flight} extraction slots are taken; "
                                            "retry shortly", headers={"Retry-After": "1"})
        self.in_flight += 1

    def release_slot(self) -> None:
        self.in_flight -= 1

    async def run(self, data: bytes, source: str, method: str, view: bool = False) -> WorkResult:
        args = (data, source, method, self.settings.max_pages, self.settings.review_width_px if view else None)
        timeout = self.settings.timeout_seconds
        for _ in range(2):
            pool = self.pool
            try:
                work = asyncio.wrap_future(pool.submit(extract_work, *args))
                return await asyncio.wait_for(work, timeout)
            except BrokenProcessPool:
                # A process died (a reader crashed on some document): a new pool, and one more try,
                # since the document that crashed it may have been another request's.
                self.renew_pool(pool)
            except asyncio.TimeoutError:
                # A process cannot be told to stop one task; the pool goes, and the other requests
                # it held are tried again on the new one.
                self.renew_pool(pool, kill=True)
                return WorkResult(timeout, status=413, code="too_large",
                                  message=f"{source}: took over {timeout:g} s to extract")
        return WorkResult(0.0, status=422, code="reader_crashed",
                          message=f"{source}: the document crashed the reader; it is corrupt or hostile")

    async def run_job(self, job_id: str, documents: list[BatchDocument], method: str, version: str) -> None:
        """A job's documents through the pool, no more at once than there are processes."""

        async def extract(document: BatchDocument) -> Outcome:
            async with self.job_slots:
                result = await self.run(document.data, document.source, method)
            if result.record_json is None:
                return Outcome(result.seconds, error_code=result.code, error=result.message)
            return Outcome(result.seconds, record=Record.model_validate_json(result.record_json))

        try:  # counted by the caller, before the task starts, so that a burst of jobs is counted too
            await run_job(self.store, job_id, documents, version, extract)
        finally:
            self.active_jobs -= 1

    def renew_pool(self, pool: ProcessPoolExecutor, kill: bool = False) -> None:
        if self.pool is not pool:
            return  # another request renewed it already
        self.pool = new_pool(self.settings)
        stop_pool(pool, kill)


def stop_pool(pool: ProcessPoolExecutor, kill: bool) -> None:
    if kill:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.kill()
    pool.shutdown(wait=kill, cancel_futures=True)  # killed processes are reaped at once


def new_pool(settings: ServiceSettings) -> ProcessPoolExecutor:
    # spawn, not fork: the server has threads, and a forked child could inherit a held lock.
    return ProcessPoolExecutor(max_workers=settings.processes, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_process)


def _open_store(path: Path) -> Any:
    from .store import ResultStore

    path.parent.mkdir(parents=True, exist_ok=True)
    store = ResultStore(path)
    ensure_tables(store.connection)
    return store


def state_of(request: Request) -> ServiceState:
    return request.app.state.service


# ---- response models (for the OpenAPI document) --------------------------------------------


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    processes: int
    in_flight: int
    max_in_flight: int


class ModelDescription(BaseModel):
    version: str
    installed: bool
    methods: list[str]
    evaluation: dict[str, Any] | None
    message: str


MethodParam = Query("auto", description="`auto` (the model where installed, else the rules), `rules` or `model`.")
ERRORS = {status: {"model": ErrorBody, "description": ERROR_TABLE if status == 422 else "See 422 for all codes."}
          for status in (400, 401, 413, 415, 422, 429)}


def create_app(settings: ServiceSettings) -> FastAPI:
    """The service's FastAPI app; the model and the extraction processes start with it."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        state = ServiceState(settings, load_model(settings), new_pool(settings), _open_store(settings.store_path))
        state.job_slots = asyncio.Semaphore(settings.processes)
        app.state.service = state
        for _ in range(settings.processes):  # start the processes now, not on the first upload
            asyncio.ensure_future(asyncio.wrap_future(state.pool.submit(_warm)))
        try:
            yield
        finally:
            for task in list(state.job_tasks):
                task.cancel()
            stop_pool(state.pool, kill=True)  # no document outlives the server
            state.store.close()

    app = FastAPI(
        title="form4-extractor", version=__version__, lifespan=lifespan,
        description="Typed records from SEC Forms 3, 4 and 5 (PDF, scans, text, HTML, XML). " + ERROR_TABLE,
    )
    app.add_middleware(BodyLimit, settings=settings)
    add_error_handlers(app)
    api_key_header = APIKeyHeader(name=API_KEY_HEADER, auto_error=False,
                                  description="Needed when the server sets FORM4_API_KEY.")

    def check_key(key: str | None = Security(api_key_header)) -> None:
        if key is None or not hmac.compare_digest(key.encode(), (settings.api_key or "").encode()):
            raise ServiceError(401, "unauthorized", f"a valid {API_KEY_HEADER} header is needed")

    # Without a key the OpenAPI document declares no security at all, as is the truth.
    guarded = [Depends(check_key)] if settings.api_key is not None else []

    @app.get("/v1/health", response_model=Health, tags=["service"])
    async def health(request: Request) -> Health:
        state = state_of(request)
        return Health(status="ok", version=__version__, processes=settings.processes, in_flight=state.in_flight,
                      max_in_flight=settings.max_in_flight)

    @app.get("/v1/model", response_model=ModelDescription, tags=["service"], dependencies=guarded,
             responses={401: ERRORS[401]})
    async def model(request: Request) -> ModelDescription:
        info = state_of(request).model
        return ModelDescription(version=info.version, installed=info.installed, methods=list(METHODS),
                                evaluation=info.evaluation, message=info.message)

    @app.post("/v1/extract", tags=["extract"], dependencies=guarded, openapi_extra=_upload_body("file"),
              responses={200: {"model": Record, "description": "The record, every value with its confidence, "
                               "method and provenance (page and box, or line).",
                               "content": {"application/xml": {"schema": {"type": "string"}}}}, **ERRORS})
    async def extract(request: Request, method: Literal["auto", "rules", "model"] = MethodParam,
                      format: Literal["json", "xml"] = Query("json", description="`json` (the record) or `xml` "
                                                              "(EDGAR ownership XML).")) -> Response:
        """Extract one document, sent as a multipart `file` part or as the raw request body."""
        state = state_of(request)
        state.take_slot()
        try:
            data, source = await _one_upload(request, settings)
            result = await state.run(data, source, method)
        finally:
            state.release_slot()
        _raise_for(result)
        if format == "xml":
            from .export import to_xml

            return Response(to_xml(Record.model_validate_json(result.record_json)), media_type="application/xml")
        return Response(result.record_json, media_type="application/json")

    @app.post("/v1/review", response_model=ReviewResult, tags=["review"], dependencies=guarded,
              openapi_extra=_upload_body("file"), responses=ERRORS)
    async def review(request: Request, method: Literal["auto", "rules", "model"] = MethodParam) -> ReviewResult:
        """Extract one document and send its page images (or lines) with every field's box, for the review page."""
        state = state_of(request)
        state.take_slot()
        try:
            data, source = await _one_upload(request, settings)
            result = await state.run(data, source, method, view=True)
        finally:
            state.release_slot()
        _raise_for(result)
        return review_result(data, Record.model_validate_json(result.record_json), result.view,
                             settings.low_confidence)

    @app.post("/v1/samples", response_model=SavedSample, status_code=201, tags=["review"], dependencies=guarded,
              openapi_extra=_sample_body(), responses={403: {"model": ErrorBody, "description": "Saving is off."},
                                                       **ERRORS})
    async def save_sample(request: Request) -> SavedSample:
        """Save a document and its corrected record as a labeled sample for `form4 train`."""
        if settings.samples_dir is None:
            raise ServiceError(403, "samples_off", "saving samples is off on this server (set FORM4_SAMPLES_DIR)")
        data, source, record_text = await _sample_upload(request, settings)
        try:
            record = Record.model_validate_json(record_text)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
            raise ServiceError(422, "invalid_record", f"{source}: the corrected record is not valid ({problems})"
                               ) from None
        return save_labeled_sample(data, source, record, settings.samples_dir)

    @app.post("/v1/jobs", response_model=JobView, status_code=202, tags=["jobs"], dependencies=guarded,
              openapi_extra=_upload_body("files", several=True), responses=ERRORS)
    async def submit_job(request: Request, method: Literal["auto", "rules", "model"] = MethodParam) -> JobView:
        """Queue a batch: several multipart `files` parts, or one ZIP (as a part or as the raw body)."""
        state = state_of(request)
        if state.active_jobs >= settings.max_active_jobs:
            raise ServiceError(429, "busy", f"{settings.max_active_jobs} jobs are running; retry later",
                               headers={"Retry-After": "5"})
        files = await _batch_upload(request)
        documents = unpack_batch(files, BatchLimits(settings.max_batch_files, settings.max_upload_bytes,
                                                    settings.max_batch_bytes))
        version = _model_version(ExtractSettings(method=method, max_pages=settings.max_pages))
        job_id = create_job(state.store.connection, [d.source for d in documents], method, version)
        state.active_jobs += 1
        task = asyncio.create_task(state.run_job(job_id, documents, method, version))
        state.job_tasks.add(task)
        task.add_done_callback(state.job_tasks.discard)
        return _job_or_404(state, job_id, with_records=False)

    @app.get("/v1/jobs/{job_id}", response_model=JobView, tags=["jobs"], dependencies=guarded,
             responses={404: {"model": ErrorBody, "description": "No such job."}, 401: ERRORS[401]})
    async def get_job(request: Request, job_id: str, records: bool = Query(True, description="Include the records.")
                      ) -> JobView:
        """A job's status, and each document's outcome and record."""
        return _job_or_404(state_of(request), job_id, with_records=records)

    @app.get("/", include_in_schema=False)
    async def review_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers=_PAGE_HEADERS)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def serve(settings: ServiceSettings, host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Run the service under uvicorn until interrupted; each worker loads the model and its processes once."""
    import uvicorn

    os.environ.update(settings.to_env())
    uvicorn.run("extractor.service:create_app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="info", proxy_headers=False, server_header=False)


def create_app_from_env() -> FastAPI:
    """The factory `form4 serve` hands to uvicorn: each worker builds its app from FORM4_* variables."""
    return create_app(ServiceSettings.from_env())


_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _job_or_404(state: ServiceState, job_id: str, with_records: bool) -> JobView:
    view = job_view(state.store, job_id, with_records)
    if view is None:
        raise ServiceError(404, "no_such_job", f"no job {job_id[:64]!r}")
    return view


def _raise_for(result: WorkResult) -> None:
    if result.record_json is None:
        raise ServiceError(result.status, result.code or "internal_error", result.message or "extraction failed")


# ---- reading uploads ---------------------------------------------------------------------


async def _form(request: Request, max_files: int) -> Any:
    try:
        return await request.form(max_files=max_files, max_fields=16, max_part_size=2 * MB)
    except StarletteHTTPException as exc:  # a malformed multipart body
        raise ServiceError(400, "malformed_multipart", f"the multipart body cannot be read ({exc.detail})") from None


def _is_multipart(request: Request) -> bool:
    return request.headers.get("content-type", "").lower().startswith("multipart/form-data")


async def _one_upload(request: Request, settings: ServiceSettings) -> tuple[bytes, str]:
    """The document's bytes and a name for messages; its kind is told later from the bytes."""
    if not _is_multipart(request):
        data = await request.body()
        source = "upload"
    else:
        form = await _form(request, max_files=1)
        try:
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise ServiceError(400, "empty_input", "the multipart body has no `file` part holding a document")
            data = await upload.read()
            source = display_name(upload.filename, "upload")
        finally:
            await form.close()  # spooled parts live in temporary files until closed
    if len(data) > settings.max_upload_bytes:
        raise ServiceError(413, "too_large", f"{source}: {len(data):,} bytes, over the limit of "
                                             f"{settings.max_upload_bytes:,}")
    if not data.strip():
        raise ServiceError(400, "empty_input", f"{source}: the upload is empty")
    return data, source


async def _batch_upload(request: Request) -> list[tuple[str | None, bytes]]:
    if not _is_multipart(request):
        return [("upload", await request.body())]
    form = await _form(request, max_files=1000)
    try:
        files = [(upload.filename, await upload.read()) for _, upload in form.multi_items()
                 if not isinstance(upload, str)]
    finally:
        await form.close()
    if not files:
        raise ServiceError(400, "empty_input", "the multipart body has no file parts")
    return files


async def _sample_upload(request: Request, settings: ServiceSettings) -> tuple[bytes, str, str]:
    if not _is_multipart(request):
        raise ServiceError(400, "empty_input", "send a multipart body with a `file` part and a `record` part")
    form = await _form(request, max_files=1)
    try:
        upload, record = form.get("file"), form.get("record")
        if upload is None or isinstance(upload, str) or record is None:
            raise ServiceError(400, "empty_input", "the multipart body needs a `file` part and a `record` part")
        data = await upload.read()
        record_text = record if isinstance(record, str) else (await record.read()).decode("utf-8", "replace")
        source = display_name(upload.filename, "upload")
    finally:
        await form.close()
    if len(data) > settings.max_upload_bytes:
        raise ServiceError(413, "too_large", f"{source}: over the limit of {settings.max_upload_bytes:,} bytes")
    return data, source, record_text


def _upload_body(part: str, several: bool = False) -> dict[str, Any]:
    binary = {"type": "string", "format": "binary"}
    schema = {"type": "array", "items": binary} if several else binary
    return {"requestBody": {"required": True, "content": {
        "multipart/form-data": {"schema": {"type": "object", "required": [part], "properties": {part: schema}}},
        "application/octet-stream": {"schema": binary},
        "text/plain": {"schema": {"type": "string"}},
    }}}


def _sample_body() -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file", "record"],
        "properties": {"file": {"type": "string", "format": "binary"},
                       "record": {"type": "string", "description": "The corrected record, as JSON."}},
    }}}}}
