// The review page: upload a document, see each field's box on the page, correct the record,
// save it as a labeled sample. Plain DOM code, no build step. Everything a client sends
// comes back as text and is only ever put in the page with textContent, never as HTML.
"use strict";

const state = { file: null, result: null };

function $(id) { return document.getElementById(id); }

function headers() {
  const key = $("api-key").value.trim();
  return key ? { "X-API-Key": key } : {};
}

function setStatus(message, isError) {
  const status = $("status");
  status.textContent = message;
  status.classList.toggle("error", Boolean(isError));
}

async function errorMessage(response) {
  try {
    const body = await response.json();
    if (body && body.error) return `${response.status} ${body.error.code}: ${body.error.message}`;
  } catch (_) { /* not JSON */ }
  return `${response.status} ${response.statusText}`;
}

async function extract(event) {
  event.preventDefault();
  const file = $("file").files[0];
  if (!file) return;
  const body = new FormData();
  body.append("file", file);
  setStatus(`Extracting ${file.name}…`);
  $("extract").disabled = true;
  try {
    const method = encodeURIComponent($("method").value);
    const response = await fetch(`/v1/review?method=${method}`, { method: "POST", body, headers: headers() });
    if (!response.ok) {
      setStatus(await errorMessage(response), true);
      return;
    }
    state.file = file;
    state.result = await response.json();
    render(state.result);
    const low = state.result.fields.filter((f) => f.low_confidence).length;
    setStatus(`${file.name}: ${state.result.kind}, ${state.result.fields.filter((f) => f.present).length} values, `
      + `${low} below confidence ${state.result.low_confidence}`);
    $("save").disabled = false;
  } catch (error) {
    setStatus(`The request failed: ${error}`, true);
  } finally {
    $("extract").disabled = false;
  }
}

function render(result) {
  renderDocument(result);
  renderFields(result);
}

function renderDocument(result) {
  const pane = $("document");
  pane.replaceChildren();
  if (result.pages.length) {
    for (const page of result.pages) {
      const holder = document.createElement("div");
      holder.className = "page";
      holder.id = `page-${page.number}`;
      holder.style.maxWidth = `${page.width_px}px`;
      const image = document.createElement("img");
      image.alt = `page ${page.number}`;
      image.src = `data:image/png;base64,${page.png_base64}`;
      holder.appendChild(image);
      for (const field of result.fields) {
        if (field.page !== page.number || !field.bbox) continue;
        holder.appendChild(makeBox(field, page));
      }
      pane.appendChild(holder);
    }
    return;
  }
  const list = document.createElement("ol");
  list.className = "lines";
  result.lines.forEach((text, index) => {
    const item = document.createElement("li");
    item.id = `line-${index + 1}`;
    item.textContent = text;
    list.appendChild(item);
  });
  for (const field of result.fields) {
    const item = field.present && field.line ? list.children[field.line - 1] : null;
    if (!item) continue;
    item.classList.add("has-field");
    if (field.low_confidence) item.classList.add("low");
    item.dataset.paths = `${item.dataset.paths || ""} ${field.path}`.trim();
  }
  pane.appendChild(list);
}

function makeBox(field, page) {
  const [x0, top, x1, bottom] = field.bbox;
  const box = document.createElement("div");
  box.className = field.low_confidence ? "box low" : "box";
  box.dataset.path = field.path;
  // Percentages of the image, so the boxes follow the image however wide it is shown.
  box.style.left = `${(x0 * page.scale / page.width_px) * 100}%`;
  box.style.top = `${(top * page.scale / page.height_px) * 100}%`;
  box.style.width = `${((x1 - x0) * page.scale / page.width_px) * 100}%`;
  box.style.height = `${((bottom - top) * page.scale / page.height_px) * 100}%`;
  box.title = `${field.path}: ${display(field.value)} (${field.confidence.toFixed(2)})`;
  box.addEventListener("click", () => activate(field.path, true));
  return box;
}

function display(value) {
  return value === null || value === undefined ? "" : String(value);
}

function renderFields(result) {
  const body = $("fields").querySelector("tbody");
  body.replaceChildren();
  for (const field of result.fields) {
    const row = document.createElement("tr");
    row.dataset.path = field.path;
    if (field.low_confidence) row.classList.add("low");
    if (!field.present) row.classList.add("absent");
    const path = document.createElement("td");
    path.className = "path";
    path.textContent = field.path;
    const cell = document.createElement("td");
    const input = document.createElement("input");
    input.value = display(field.value);
    input.dataset.original = input.value;
    input.setAttribute("aria-label", field.path);
    input.addEventListener("input", () => row.classList.toggle("edited", input.value !== input.dataset.original));
    input.addEventListener("focus", () => activate(field.path, false));
    cell.appendChild(input);
    const confidence = document.createElement("td");
    confidence.textContent = field.present ? field.confidence.toFixed(2) : "";
    row.append(path, cell, confidence);
    body.appendChild(row);
  }
  filterRows();
}

function filterRows() {
  const presentOnly = $("present-only").checked;
  for (const row of $("fields").querySelectorAll("tbody tr")) {
    const edited = row.classList.contains("edited");
    row.classList.toggle("hidden", presentOnly && row.classList.contains("absent") && !edited);
  }
}

function activate(path, fromDocument) {
  for (const element of document.querySelectorAll(".active")) element.classList.remove("active");
  const row = $("fields").querySelector(`tr[data-path="${CSS.escape(path)}"]`);
  if (row) {
    row.classList.add("active");
    if (fromDocument) {
      row.classList.remove("hidden");
      row.scrollIntoView({ block: "center" });
      row.querySelector("input").focus({ preventScroll: true });
    }
  }
  const box = document.querySelector(`.box[data-path="${CSS.escape(path)}"]`);
  if (box) {
    box.classList.add("active");
    if (!fromDocument) box.scrollIntoView({ block: "center" });
  }
  const field = state.result.fields.find((f) => f.path === path);
  const line = field && field.line ? $(`line-${field.line}`) : null;
  if (line) {
    line.classList.add("active");
    if (!fromDocument) line.scrollIntoView({ block: "center" });
  }
}

// A typed value from what was typed: empty is "no value", true/false are check boxes.
function parseInput(text, original) {
  const value = text.trim();
  if (value === "") return null;
  if (typeof original === "boolean" || value === "true" || value === "false") {
    if (value === "true") return true;
    if (value === "false") return false;
  }
  return value;
}

function correctedRecord() {
  const record = structuredClone(state.result.record);
  for (const row of $("fields").querySelectorAll("tbody tr.edited")) {
    const input = row.querySelector("input");
    let leaf = record;
    for (const part of row.dataset.path.split(".")) leaf = leaf[/^\d+$/.test(part) ? Number(part) : part];
    leaf.value = parseInput(input.value, leaf.value);
    leaf.confidence = 1.0;  // a person checked it
  }
  return record;
}

async function save() {
  if (!state.result || !state.file) return;
  const body = new FormData();
  body.append("file", state.file);
  body.append("record", JSON.stringify(correctedRecord()));
  $("save").disabled = true;
  try {
    const response = await fetch("/v1/samples", { method: "POST", body, headers: headers() });
    if (!response.ok) {
      setStatus(await errorMessage(response), true);
      return;
    }
    const saved = await response.json();
    setStatus(`Saved the sample as ${saved.document} and ${saved.record}`);
  } catch (error) {
    setStatus(`The request failed: ${error}`, true);
  } finally {
    $("save").disabled = false;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("upload").addEventListener("submit", extract);
  $("save").addEventListener("click", save);
  $("present-only").addEventListener("change", filterRows);
});
