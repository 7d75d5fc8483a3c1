// wordvec serve: the page's behaviour. Plain JavaScript, no build step, nothing fetched but
// this server's own /api/ answers.
"use strict";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const COLOURS = ["#2f6fdf", "#d9480f", "#2b8a3e", "#862e9c", "#c92a2a", "#0b7285", "#e67700", "#5c940d"];

let models = [];

// One request per purpose at a time: a newer one makes the older one's answer stale.
const latest = {};
async function api(purpose, endpoint, params) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && String(v).trim() !== "") query.set(k, v);
  }
  const ticket = (latest[purpose] = (latest[purpose] || 0) + 1);
  const response = await fetch(`/api/${endpoint}?${query}`);
  const body = await response.json();
  if (ticket !== latest[purpose]) throw new Stale();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}
class Stale extends Error {}

function debounce(f, ms = 150) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => f(...args), ms);
  };
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("data-")) node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const c of children) node.append(c);
  return node;
}

function wordLink(word) {
  return el("span", { class: "word", "data-word": word, textContent: word });
}

function show(id, message, isError) {
  const node = $(id);
  node.textContent = message || "";
  node.classList.toggle("error", !!isError);
}

function report(id, error) {
  if (!(error instanceof Stale)) show(id, error.message, true);
}

const model = () => $("model").value;
const unseenNote = (unseen) =>
  unseen && unseen.length ? `not in the vocabulary, made from n-grams: ${unseen.join(", ")}` : "";

// ---- tabs -----------------------------------------------------------------------------------

function openTab(name) {
  for (const button of document.querySelectorAll("nav button")) {
    button.classList.toggle("active", button.dataset.tab === name);
  }
  for (const section of document.querySelectorAll("main > section")) {
    section.hidden = section.id !== `tab-${name}`;
  }
}

// ---- explore ---------------------------------------------------------------------------------

function fillNeighbours(tbody, neighbours, withRank = true) {
  tbody.replaceChildren(
    ...neighbours.map((n, i) => {
      const cells = [el("td", {}, wordLink(n.word)), el("td", { class: "num", textContent: n.score.toFixed(4) })];
      if (withRank) cells.unshift(el("td", { class: "num", textContent: String(i + 1) }));
      return el("tr", {}, ...cells);
    })
  );
}

async function neighbours() {
  const terms = $("search").value.trim().split(/[\s,]+/).filter(Boolean);
  const tbody = $("neighbours").querySelector("tbody");
  if (!terms.length) {
    tbody.replaceChildren();
    show("neighbours-note", "");
    return;
  }
  const positive = terms.filter((t) => !(t.length > 1 && t.startsWith("-")));
  const negative = terms.filter((t) => t.length > 1 && t.startsWith("-")).map((t) => t.slice(1));
  try {
    const answer = await api("neighbours", "similar", {
      model: model(),
      positive: positive.join(","),
      negative: negative.join(","),
      k: $("k").value,
      restrict: $("restrict").value,
    });
    fillNeighbours(tbody, answer.neighbours);
    show("neighbours-note", unseenNote(answer.unseen));
  } catch (e) {
    if (!(e instanceof Stale)) tbody.replaceChildren();
    report("neighbours-note", e);
  }
}

async function complete() {
  const list = $("completions");
  const last = $("search").value.split(/[\s,]+/).pop().replace(/^-/, "");
  if (!last) {
    list.hidden = true;
    return;
  }
  try {
    const answer = await api("complete", "complete", { model: model(), prefix: last, k: 12 });
    const exact = answer.words.length === 1 && answer.words[0] === last;
    list.replaceChildren(...answer.words.map((w) => el("li", { textContent: w, "data-word": w })));
    list.hidden = answer.words.length === 0 || exact;
  } catch (e) {
    list.hidden = true;
  }
}

function acceptCompletion(word) {
  const input = $("search");
  const parts = input.value.split(/(\s+)/);
  const last = parts.pop();
  parts.push((last.startsWith("-") ? "-" : "") + word);
  input.value = parts.join("");
  $("completions").hidden = true;
  neighbours();
}

function search(word) {
  $("search").value = word;
  $("completions").hidden = true;
  openTab("explore");
  neighbours();
}

async function analogy() {
  const [a, b, c] = ["a", "b", "c"].map((x) => $(`analogy-${x}`).value.trim());
  const list = $("analogy-result");
  if (!a || !b || !c) {
    list.replaceChildren();
    show("analogy-note", "");
    return;
  }
  try {
    const answer = await api("analogy", "analogy", { model: model(), a, b, c, k: 5, restrict: $("restrict").value });
    list.replaceChildren(
      ...answer.neighbours.map((n) => el("li", {}, wordLink(n.word), ` ${n.score.toFixed(4)}`))
    );
    show("analogy-note", unseenNote(answer.unseen));
  } catch (e) {
    if (!(e instanceof Stale)) list.replaceChildren();
    report("analogy-note", e);
  }
}

async function doesntMatch() {
  const words = $("odd-words").value.trim();
  if (words.split(/[\s,]+/).filter(Boolean).length < 2) return show("odd-result", "");
  try {
    const answer = await api("odd", "doesnt-match", { model: model(), words });
    const result = $("odd-result");
    result.classList.remove("error");
    result.replaceChildren("odd one out: ", wordLink(answer.doesnt_match));
  } catch (e) {
    report("odd-result", e);
  }
}

async function similarity() {
  const [a, b] = [$("sim-a").value.trim(), $("sim-b").value.trim()];
  if (!a || !b) return show("sim-result", "");
  try {
    const answer = await api("sim", "similarity", { model: model(), a, b });
    show("sim-result", `cosine ${answer.similarity.toFixed(4)} ${unseenNote(answer.unseen)}`);
  } catch (e) {
    report("sim-result", e);
  }
}

// ---- map -------------------------------------------------------------------------------------

async function drawMap() {
  const svg = $("map-svg");
  const around = $("map-around").value.trim();
  const method = $("map-method").value;
  show("map-note", method === "tsne" ? "t-SNE is placing the points…" : "");
  try {
    const answer = await api("map", "map", {
      model: model(),
      words: $("map-words").value,
      around,
      k: $("map-k").value,
      method,
      restrict: $("restrict").value,
    });
    plotPoints(svg, answer.points, around);
    const explained = answer.explained
      ? ` — PC1 ${(100 * answer.explained[0]).toFixed(0)}%, PC2 ${(100 * answer.explained[1]).toFixed(0)}% of the variance`
      : "";
    show("map-note", `${answer.points.length} words by ${method === "pca" ? "PCA" : "t-SNE"}${explained}. Click a point to map its neighbourhood.`);
  } catch (e) {
    report("map-note", e);
  }
}

function plotPoints(svg, points, centre) {
  const [width, height, pad] = [900, 600, 40];
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = (x) => pad + ((x - x0) / (x1 - x0 || 1)) * (width - 2 * pad - 80);
  const sy = (y) => height - pad - ((y - y0) / (y1 - y0 || 1)) * (height - 2 * pad);
  const nodes = [];
  for (const p of points) {
    const group = document.createElementNS(SVG, "g");
    group.setAttribute("class", "point");
    group.dataset.word = p.word;
    const circle = document.createElementNS(SVG, "circle");
    circle.setAttribute("cx", sx(p.x));
    circle.setAttribute("cy", sy(p.y));
    circle.setAttribute("r", 4);
    const kind = p.word === centre ? "centre" : p.unseen ? "unseen" : "";
    if (kind) circle.setAttribute("class", kind);
    const label = document.createElementNS(SVG, "text");
    label.setAttribute("x", sx(p.x) + 6);
    label.setAttribute("y", sy(p.y) + 4);
    label.textContent = p.word;
    const title = document.createElementNS(SVG, "title");
    title.textContent = `${p.word} — click to map its neighbourhood`;
    group.append(title, circle, label);
    nodes.push(group);
  }
  svg.replaceChildren(...nodes);
}

// ---- compare ---------------------------------------------------------------------------------

async function compareWord() {
  const word = $("compare-word").value.trim();
  const [ta, tb] = ["a", "b"].map((s) => $(`compare-neighbours-${s}`).querySelector("tbody"));
  if (!word) {
    ta.replaceChildren();
    tb.replaceChildren();
    return show("compare-overlap", "");
  }
  try {
    const answer = await api("compare", "compare", {
      a: $("compare-a").value,
      b: $("compare-b").value,
      word,
      k: $("compare-k").value,
      restrict: $("restrict").value,
    });
    fillNeighbours(ta, answer.a.neighbours, false);
    fillNeighbours(tb, answer.b.neighbours, false);
    const errors = [answer.a.error && `A: ${answer.a.error}`, answer.b.error && `B: ${answer.b.error}`].filter(Boolean);
    show("compare-overlap", `shared: ${answer.shared} of ${answer.k} (overlap ${answer.overlap.toFixed(2)}) ${errors.join("; ")}`);
    const shared = new Set(answer.a.neighbours.map((n) => n.word).filter((w) => answer.b.neighbours.some((m) => m.word === w)));
    for (const cell of document.querySelectorAll("#tab-compare td .word")) {
      cell.style.fontWeight = shared.has(cell.dataset.word) ? "bold" : "normal";
    }
  } catch (e) {
    ta.replaceChildren();
    tb.replaceChildren();
    report("compare-overlap", e);
  }
}

async function measureOverlap() {
  show("overlap-result", "measuring…");
  try {
    const answer = await api("overlap", "overlap", {
      a: $("compare-a").value,
      b: $("compare-b").value,
      k: $("compare-k").value,
      words: $("overlap-words").value,
      restrict: $("overlap-restrict").value,
    });
    show("overlap-result", `mean overlap@${answer.k} over the ${answer.words} most frequent shared words: ${answer.mean.toFixed(3)}`);
    $("overlap-least").querySelector("tbody").replaceChildren(
      ...answer.least.map((r) => el("tr", {}, el("td", {}, wordLink(r.word)), el("td", { class: "num", textContent: r.overlap.toFixed(2) })))
    );
  } catch (e) {
    report("overlap-result", e);
  }
}

// ---- runs ------------------------------------------------------------------------------------

let runs = { runs: [], differing: [], figures: [] };

async function loadRuns() {
  try {
    runs = await api("runs", "runs", {});
  } catch (e) {
    return report("runs-note", e);
  }
  if (!runs.runs.length) {
    show("runs-note", "No runs served: give `wordvec serve` a run's folder or a sweep's folder to see its curves.");
    return;
  }
  show("runs-note", `${runs.runs.length} run(s); the table shows the settings that differ between them.`);
  $("runs-list").replaceChildren(
    ...runs.runs.map((r, i) => {
      const box = el("input", { type: "checkbox", checked: true, value: String(i) });
      box.addEventListener("change", drawRuns);
      const swatch = el("span", { class: "legend-swatch" });
      swatch.style.background = COLOURS[i % COLOURS.length];
      return el("label", {}, box, swatch, r.name);
    })
  );
  $("chart-figure").replaceChildren(...runs.figures.map((f) => el("option", { value: f, textContent: f })));
  const head = ["run", ...runs.differing, "last epoch loss", ...runs.figures, "words", "seconds"];
  $("runs-settings").querySelector("thead").replaceChildren(el("tr", {}, ...head.map((h) => el("th", { textContent: h }))));
  $("runs-settings").querySelector("tbody").replaceChildren(
    ...runs.runs.map((r) => {
      const last = r.evals.length ? r.evals[r.evals.length - 1].figures : {};
      const cells = [
        r.name,
        ...runs.differing.map((k) => r.settings[k] ?? ""),
        r.epoch_losses.length ? r.epoch_losses[r.epoch_losses.length - 1].toFixed(4) : "",
        ...runs.figures.map((f) => (f in last ? last[f].toFixed(4) : "")),
        String(r.words),
        r.seconds.toFixed(1),
      ];
      return el("tr", {}, ...cells.map((c) => el("td", { textContent: c })));
    })
  );
  drawRuns();
}

function chosenRuns() {
  return [...document.querySelectorAll("#runs-list input:checked")].map((b) => Number(b.value));
}

function drawRuns() {
  const byWords = $("chart-x").value === "words";
  const chosen = chosenRuns();
  const loss = chosen.map((i) => ({
    run: i,
    points: runs.runs[i].losses.map(([w, s, l]) => [byWords ? w : s, l]),
  }));
  lineChart($("chart-loss"), loss, byWords ? "words seen" : "seconds", "mean loss");
  const figure = $("chart-figure").value;
  const evals = chosen.map((i) => ({
    run: i,
    points: runs.runs[i].evals.filter((e) => figure in e.figures).map((e) => [byWords ? e.words : e.seconds, e.figures[figure]]),
  }));
  lineChart($("chart-eval"), evals, byWords ? "words seen" : "seconds", figure || "no evaluations");
}

function svgNode(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function ticks(lo, hi, count = 5) {
  if (hi === lo) return [lo];
  const step = Math.pow(10, Math.floor(Math.log10((hi - lo) / count)));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (hi - lo) / s <= count) || step * 10;
  const out = [];
  for (let v = Math.ceil(lo / nice) * nice; v <= hi + 1e-9; v += nice) out.push(v);
  return out;
}

const format = (v) => (Math.abs(v) >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : Math.abs(v) >= 1e3 ? `${(v / 1e3).toFixed(0)}k` : Number(v.toFixed(3)).toString());

function lineChart(svg, series, xLabel, yLabel) {
  const [width, height, left, right, top, bottom] = [900, 320, 64, 20, 16, 44];
  const all = series.flatMap((s) => s.points);
  svg.replaceChildren();
  if (!all.length) {
    svg.append(svgNode("text", { x: width / 2, y: height / 2, "text-anchor": "middle" }, "nothing to draw"));
    return;
  }
  const [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  const [y0, y1] = [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  const sx = (x) => left + ((x - x0) / (x1 - x0 || 1)) * (width - left - right);
  const sy = (y) => height - bottom - ((y - y0) / (y1 - y0 || 1)) * (height - top - bottom);
  const axis = svgNode("g", { class: "axis" });
  axis.append(svgNode("path", { d: `M${left},${top}V${height - bottom}H${width - right}`, fill: "none" }));
  for (const t of ticks(x0, x1)) {
    axis.append(svgNode("text", { x: sx(t), y: height - bottom + 16, "text-anchor": "middle" }, format(t)));
  }
  for (const t of ticks(y0, y1)) {
    axis.append(svgNode("line", { x1: left, x2: width - right, y1: sy(t), y2: sy(t) }));
    axis.append(svgNode("text", { x: left - 6, y: sy(t) + 4, "text-anchor": "end" }, format(t)));
  }
  axis.append(svgNode("text", { x: (left + width) / 2, y: height - 6, "text-anchor": "middle" }, xLabel));
  axis.append(svgNode("text", { x: 12, y: top + 4, "text-anchor": "start" }, yLabel));
  svg.append(axis);
  for (const s of series) {
    if (!s.points.length) continue;
    const d = s.points.map((p, i) => `${i ? "L" : "M"}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join("");
    const colour = COLOURS[s.run % COLOURS.length];
    const line = svgNode("path", { d, fill: "none", stroke: colour, "stroke-width": 2, class: "series", "data-run": s.run });
    line.append(svgNode("title", {}, runs.runs[s.run].name));
    svg.append(line);
    for (const p of s.points.length < 40 ? s.points : []) {
      svg.append(svgNode("circle", { cx: sx(p[0]), cy: sy(p[1]), r: 3, fill: colour }));
    }
  }
}

// ---- wiring ----------------------------------------------------------------------------------

function fillModelSelects() {
  const options = (chosen) =>
    models.map((m) => el("option", { value: String(m.id), textContent: m.name, selected: m.id === chosen }));
  $("model").replaceChildren(...options(0));
  $("compare-a").replaceChildren(...options(0));
  $("compare-b").replaceChildren(...options(models.length > 1 ? 1 : 0));
  describeModel();
}

function describeModel() {
  const m = models[Number(model())];
  if (m) show("model-info", `${m.words.toLocaleString()} words × ${m.dim}${m.subwords ? ", subwords: unseen words answered" : ""}`);
}

function refreshExplore() {
  neighbours();
  analogy();
  doesntMatch();
  similarity();
}

async function start() {
  for (const button of document.querySelectorAll("nav button")) {
    button.addEventListener("click", () => openTab(button.dataset.tab));
  }
  document.body.addEventListener("click", (event) => {
    const word = event.target.closest(".word");
    if (word) search(word.dataset.word);
  });
  $("search").addEventListener("input", debounce(() => {
    complete();
    neighbours();
  }));
  $("search").addEventListener("keydown", (event) => {
    if (event.key === "Escape") $("completions").hidden = true;
    if (event.key === "Enter") {
      $("completions").hidden = true;
      neighbours();
    }
  });
  $("completions").addEventListener("click", (event) => {
    const item = event.target.closest("li");
    if (item) acceptCompletion(item.dataset.word);
  });
  for (const id of ["k", "restrict"]) $(id).addEventListener("input", debounce(refreshExplore));
  for (const id of ["analogy-a", "analogy-b", "analogy-c"]) $(id).addEventListener("input", debounce(analogy));
  $("odd-words").addEventListener("input", debounce(doesntMatch));
  for (const id of ["sim-a", "sim-b"]) $(id).addEventListener("input", debounce(similarity));
  $("model").addEventListener("change", () => {
    describeModel();
    refreshExplore();
  });
  $("map-draw").addEventListener("click", drawMap);
  $("map-svg").addEventListener("click", (event) => {
    const point = event.target.closest("g.point");
    if (!point) return;
    $("map-words").value = "";
    $("map-around").value = point.dataset.word;
    drawMap();
  });
  $("compare-word").addEventListener("input", debounce(compareWord));
  for (const id of ["compare-a", "compare-b", "compare-k"]) $(id).addEventListener("change", compareWord);
  $("overlap-run").addEventListener("click", measureOverlap);
  $("chart-x").addEventListener("change", drawRuns);
  $("chart-figure").addEventListener("change", drawRuns);

  try {
    models = (await api("models", "models", {})).models;
  } catch (e) {
    return report("model-info", e);
  }
  fillModelSelects();
  await loadRuns();
  followLink();
  document.body.dataset.ready = "true";
}

// A link can open the page on a query: #word=king, #map=king&method=tsne, #tab=runs,
// #compare=king (each with &model=N where it matters).
function followLink() {
  const link = new URLSearchParams(location.hash.slice(1));
  if (link.has("model")) $("model").value = link.get("model");
  describeModel();
  if (link.has("word")) search(link.get("word"));
  if (link.has("map")) {
    openTab("map");
    $("map-around").value = link.get("map");
    if (link.has("method")) $("map-method").value = link.get("method");
    drawMap();
  }
  if (link.has("compare")) {
    openTab("compare");
    $("compare-word").value = link.get("compare");
    compareWord();
  }
  if (link.has("tab")) openTab(link.get("tab"));
}

start();
