"""Load run of the HTTP service (not a test): a real `form4 serve` on 127.0.0.1, N uploads, C at a time.

    OMP_THREAD_LIMIT=1 python benchmarks/bench_service.py --requests 200 --concurrency 8 --scans 4

Uploads cycle through made-up text, HTML and born-digital PDF documents (each distinct, so
nothing is answered from a cache), plus `--scans` PNG scans spread through the run. Prints
the latency percentiles overall and per kind, throughput, and every error; exit status 1 if
any request failed. The bar (issue 7): 200 requests, 8 at a time, 0 errors.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import httpx  # noqa: E402

from tests import fixture_docs  # noqa: E402
from tests.test_service import made_up_text, running_server  # noqa: E402


def uploads(count: int, scans: int) -> list[tuple[str, bytes]]:
    """`count` distinct documents: text, HTML and PDF in turn, with `scans` PNG scans spread among them."""
    pdf_variants = [fixture_docs.html_to_pdf(fixture_docs.MADE_UP_FORM_HTML.replace("12,345", f"{12000 + i:,}"))
                    for i in range(8)]
    scan_images = [fixture_docs.png_bytes(fixture_docs.scan(fixture_docs.render_pages(pdf_variants[0])[0], seed=i))
                   for i in range(min(scans, 2))]
    every = count // scans if scans else count + 1
    documents = []
    for i in range(count):
        if scans and i % every == every // 2 and sum(k == "scan" for k, _ in documents) < scans:
            documents.append(("scan", scan_images[i % len(scan_images)]))
            continue
        kind = ("text", "html", "pdf")[i % 3]
        if kind == "text":
            data = made_up_text() + f"\nRequest {i}\n".encode()
        elif kind == "html":
            data = fixture_docs.MADE_UP_FORM_HTML.replace("</body>", f"<p>Request {i}</p></body>").encode()
        else:
            data = pdf_variants[i % len(pdf_variants)] + f"\n% request {i}\n".encode()
        documents.append((kind, data))
    return documents


async def load_run(base: str, documents: list[tuple[str, bytes]], concurrency: int) -> list[tuple[str, float, str]]:
    """(kind, seconds, problem or "") per request."""
    results: list[tuple[str, float, str]] = []
    queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
    for document in documents:
        queue.put_nowait(document)

    async def client_loop(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            kind, data = queue.get_nowait()
            start = time.perf_counter()
            problem = ""
            try:
                response = await http.post("/v1/extract", files={"file": (f"doc.{kind}", data)})
                if response.status_code != 200:
                    problem = f"{response.status_code} {response.text[:200]}"
            except httpx.HTTPError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            results.append((kind, time.perf_counter() - start, problem))

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as http:
        await asyncio.gather(*(client_loop(http) for _ in range(concurrency)))
    return results


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def report(results: list[tuple[str, float, str]], seconds: float) -> int:
    by_kind: dict[str, list[float]] = defaultdict(list)
    for kind, latency, _ in results:
        by_kind[kind].append(latency)
    everything = [latency for _, latency, _ in results]
    errors = [(kind, problem) for kind, _, problem in results if problem]
    print(f"{len(results)} requests in {seconds:.1f} s ({len(results) / seconds:.1f}/s), {len(errors)} errors")
    print(f"{'kind':6} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind, values in sorted(by_kind.items()) + [("all", everything)]:
        print(f"{kind:6} {len(values):4d} {percentile(values, 0.5) * 1000:8.0f} {percentile(values, 0.95) * 1000:8.0f} "
              f"{max(values) * 1000:8.0f}")
    for kind, problem in errors[:20]:
        print(f"error ({kind}): {problem}")
    return 1 if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--processes", type=int, default=2, help="extraction processes of the server")
    parser.add_argument("--scans", type=int, default=0, help="how many of the requests are PNG scans (OCR)")
    args = parser.parse_args()
    documents = uploads(args.requests, args.scans)
    with tempfile.TemporaryDirectory() as folder, \
            running_server(Path(folder), "--processes", str(args.processes)) as base:
        print(f"server {base}: {args.processes} extraction processes; {args.requests} requests, "
              f"{args.concurrency} at a time")
        start = time.perf_counter()
        results = asyncio.run(load_run(base, documents, args.concurrency))
        return report(results, time.perf_counter() - start)


if __name__ == "__main__":
    sys.exit(main())
