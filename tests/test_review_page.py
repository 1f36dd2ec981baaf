"""The review page in headless Chromium (Debian's /usr/bin/chromium, driven by playwright; nothing downloaded).

Uploads a made-up PDF, checks that every field with a box is drawn where the record says and
that low-confidence ones stand out, corrects a value and saves the labeled sample; then a text
document (lines instead of an image) and a bad upload (its error shown).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from . import fixture_docs as docs
from .test_service import ISSUER, made_up_text, running_server

CHROMIUM = Path("/usr/bin/chromium")
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium package")
    workdir = tmp_path_factory.mktemp("review")
    with running_server(workdir, "--samples-dir", str(workdir / "samples")) as base:
        yield base, workdir


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        # --no-sandbox: the test may run as root in a container, where Chromium's sandbox cannot start.
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, site):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    problems: list[str] = []
    # Chromium logs every 4xx answer as "Failed to load resource"; those are expected here.
    tab.on("console", lambda message: problems.append(message.text)
           if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.goto(site[0] + "/")
    yield tab
    context.close()
    assert problems == [], problems  # no script error, no CSP violation


def upload(page, path: Path) -> dict:
    page.set_input_files("#file", str(path))
    with page.expect_response(lambda r: "/v1/review" in r.url) as response:
        page.click("#extract")
    return response.value.json() if response.value.ok else {"status": response.value.status}


def test_pdf_boxes_are_drawn_on_the_page_and_a_correction_is_saved(page, site, tmp_path):
    document = tmp_path / "form.pdf"
    document.write_bytes(docs.made_up_pdf())
    result = upload(page, document)
    page.wait_for_selector(".page .box")
    boxed = [f for f in result["fields"] if f["bbox"] and f["page"] == 1]
    assert page.locator(".page .box").count() == len(boxed) > 3
    assert page.locator(".page .box.low").count() == sum(f["low_confidence"] for f in boxed) > 0
    assert page.locator("#fields tr.low").count() == sum(f["low_confidence"] for f in result["fields"])

    # The issuer's box sits where its bbox says on the shown image (scaled to its displayed size).
    scan = result["pages"][0]
    image = page.locator(".page img").bounding_box()
    box = page.locator('.box[data-path="issuer.name"]').bounding_box()
    field = next(f for f in boxed if f["path"] == "issuer.name")
    shown = image["width"] / scan["width_px"]
    assert abs(box["x"] - image["x"] - field["bbox"][0] * scan["scale"] * shown) < 2
    assert abs(box["y"] - image["y"] - field["bbox"][1] * scan["scale"] * shown) < 2
    assert abs(box["width"] - (field["bbox"][2] - field["bbox"][0]) * scan["scale"] * shown) < 2

    # Clicking a box brings its row up; correcting the value and saving writes the labeled sample.
    page.click('.box[data-path="issuer.trading_symbol"]')
    symbol = page.locator('#fields tr[data-path="issuer.trading_symbol"] input')
    assert symbol.evaluate("e => e === document.activeElement") and symbol.input_value() == "BKWH"
    symbol.fill("BKWX")
    page.click("#save")
    sync_api.expect(page.locator("#status")).to_have_text(re.compile("^Saved the sample"), timeout=20_000)
    digest = hashlib.sha256(docs.made_up_pdf()).hexdigest()
    samples = site[1] / "samples"
    assert sorted(p.name for p in samples.iterdir()) == [f"{digest}.json", f"{digest}.pdf"]
    saved = json.loads((samples / f"{digest}.json").read_text())
    symbol = saved["issuer"]["trading_symbol"]
    assert (symbol["value"], symbol["confidence"]) == ("BKWX", 1.0)
    assert saved["issuer"]["name"]["value"] == ISSUER


def test_text_document_shows_its_lines_with_the_fields_marked(page, tmp_path):
    document = tmp_path / "form.txt"
    document.write_bytes(made_up_text())
    result = upload(page, document)
    page.wait_for_selector("ol.lines li.has-field")
    assert page.locator("ol.lines li").count() == len(result["lines"])
    assert page.locator(".page").count() == 0
    issuer = next(f for f in result["fields"] if f["path"] == "issuer.name")
    assert ISSUER in page.locator(f"#line-{issuer['line']}").text_content()
    assert "has-field" in page.locator(f"#line-{issuer['line']}").get_attribute("class")


def test_a_bad_upload_shows_its_error(page, tmp_path):
    document = tmp_path / "noise.pdf"
    document.write_bytes(docs.garbage())
    assert upload(page, document) == {"status": 415}
    # The response arrives before the page's script has written it out: wait for the status, do not read it at once.
    status = page.locator("#status")
    sync_api.expect(status).to_contain_text("415 unsupported_format", timeout=20_000)
    sync_api.expect(status).to_have_class(re.compile(r"\berror\b"))
