// The page: a CodeMirror editor, the findings list, rule docs and sharing. All checking,
// fixing and hover text come from bklint in the worker (worker.js); this file only shows them.
import { EditorView, basicSetup } from "codemirror";
import { StreamLanguage } from "@codemirror/language";
import { toml } from "@codemirror/legacy-modes/mode/toml";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { hoverTooltip } from "@codemirror/view";
import { Marked } from "marked";
import { decodeFragment, encodeFragment } from "./fragment.js";

const EXAMPLE = `# Paste a buildkitd.toml here: bklint checks it as you type.
[registry.docker.io]
  mirrors = ["mirror.gcr.io"]

[worker.oci]
  max_parallelism = 4
`;

const $ = (id) => document.getElementById(id);

// -- the engine in the worker ------------------------------------------------------------------

class Engine {
  constructor(url) {
    this.worker = new Worker(url, { type: "module" });
    this.waiting = new Map();
    this.next = 1;
    this.ready = new Promise((resolve, reject) => {
      this.worker.onmessage = ({ data }) => {
        if (data.type === "ready") return resolve(data.timings);
        if (data.type === "fatal") return reject(new Error(data.message));
        const call = this.waiting.get(data.id);
        this.waiting.delete(data.id);
        if (data.error !== undefined) call.reject(new Error(data.error));
        else call.resolve(data.result);
      };
      this.worker.onerror = (event) => reject(new Error(event.message || "the worker failed to start"));
    });
  }

  call(op, ...args) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, args });
    });
  }

  async json(op, ...args) {
    return JSON.parse(await this.call(op, ...args));
  }
}

const engine = new Engine(new URL("worker.js", import.meta.url));

// -- Markdown (rule docs and hover), with raw HTML shown as text ---------------------------------

const escapeHtml = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

const markdown = new Marked({
  gfm: true,
  renderer: {
    html({ text }) {
      return escapeHtml(text);
    },
    link({ href, text }) {
      // Rule docs link to upstream sources; never follow anything but http(s).
      if (!/^https?:\/\//i.test(href)) return escapeHtml(text);
      return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${escapeHtml(text)}</a>`;
    },
    image({ text }) {
      return escapeHtml(text);
    },
  },
});
const render = (md) => markdown.parse(md, { async: false });

// -- state -------------------------------------------------------------------------------------

const initial = decodeFragment(location.hash);
const options = { target: initial.target ?? "", flags: initial.flags ?? "" };
let findings = [];
let linted = null; // the (text, target, flags) the shown findings belong to
let busy = false;

function current() {
  return { text: view.state.doc.toString(), target: options.target, flags: options.flags };
}

const same = (a, b) => a && b && a.text === b.text && a.target === b.target && a.flags === b.flags;

function status(text, kind = "") {
  const el = $("status");
  el.textContent = text;
  el.className = kind;
}

// -- positions: the engine speaks (line, UTF-16 column), CodeMirror document offsets ---------------

function offset(doc, point) {
  const n = Math.min(Math.max(point.line + 1, 1), doc.lines);
  const line = doc.line(n);
  if (point.line + 1 > doc.lines) return line.to;
  return Math.min(line.from + point.column, line.to);
}

function range(doc, span) {
  const from = offset(doc, span.start);
  return { from, to: Math.max(from, offset(doc, span.end)) };
}

// -- linting -------------------------------------------------------------------------------------

async function lint() {
  if (busy) return;
  busy = true;
  try {
    for (;;) {
      const asked = current();
      if (same(asked, linted)) break;
      const t0 = performance.now();
      const out = await engine.json("lint", asked.text, asked.target, asked.flags);
      if (!same(asked, current())) continue; // typed meanwhile: lint the newer text first
      linted = asked;
      show(out.findings, performance.now() - t0);
    }
  } catch (err) {
    status(`bklint failed: ${err.message}`, "error");
  } finally {
    busy = false;
  }
}

function show(list, ms) {
  findings = list;
  const doc = view.state.doc;
  const diagnostics = list.map((f, index) => ({
    ...range(doc, f.span),
    severity: f.severity === "hint" ? "hint" : f.severity,
    source: `${f.code} ${f.name}`,
    message: f.message,
    actions: f.fix ? [{ name: `Fix: ${f.fix.message.replaceAll("`", "")}`, apply: () => applyFix(index) }] : [],
  }));
  view.dispatch(setDiagnostics(view.state, diagnostics));
  renderList();
  const fixable = list.filter((f) => f.fix && f.fix.applicability === "safe").length;
  $("fix-all").disabled = fixable === 0;
  $("count").textContent = list.length ? `(${list.length})` : "";
  status(list.length ? `${list.length} problem${list.length > 1 ? "s" : ""} (${Math.round(ms)} ms)` : `No problems (${Math.round(ms)} ms)`, "ok");
  if (!document.body.dataset.linted) performance.mark("bklint-first-findings"); // for bench/web_load.mjs
  document.body.dataset.linted = "true";
}

function cell(row, content) {
  const td = row.insertCell();
  if (content instanceof Node) td.append(content);
  else td.textContent = content;
  return td;
}

function button(label, cls, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = cls;
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}

function renderList() {
  const body = $("findings").tBodies[0];
  body.replaceChildren();
  findings.forEach((f, index) => {
    const row = body.insertRow();
    row.className = `sev-${f.severity}`;
    row.dataset.code = f.code;
    cell(row, button(f.code, "code-link", () => showDoc(f.code))).title = `${f.code}: read the rule's documentation`;
    cell(row, f.name);
    cell(row, f.severity).className = "severity";
    cell(row, button(String(f.span.start.line + 1), "line-link", () => reveal(f)));
    cell(row, messageNode(f.message)).className = "message";
    cell(row, f.fix ? button(f.fix.applicability === "safe" ? "Fix" : "Fix (unsafe)", "fix", () => applyFix(index)) : "");
    if (f.fix) row.cells[5].title = f.fix.message.replaceAll("`", "");
  });
}

function messageNode(text) {
  // Backticked names in messages as code, the rest as text.
  const span = document.createElement("span");
  text.split(/(`[^`]*`)/).forEach((part) => {
    if (part.startsWith("`") && part.endsWith("`") && part.length > 1) {
      const code = document.createElement("code");
      code.textContent = part.slice(1, -1);
      span.append(code);
    } else span.append(part);
  });
  return span;
}

function reveal(f) {
  const { from, to } = range(view.state.doc, f.span);
  view.dispatch({ selection: { anchor: from, head: to }, scrollIntoView: true });
  view.focus();
}

// -- fixes: the engine's fixer, then the smallest edit so the cursor stays put ------------------------

function replaceText(next) {
  const old = view.state.doc.toString();
  if (old === next) return;
  let start = 0;
  while (start < old.length && start < next.length && old[start] === next[start]) start++;
  let end = 0;
  while (end < old.length - start && end < next.length - start && old[old.length - 1 - end] === next[next.length - 1 - end]) end++;
  view.dispatch({ changes: { from: start, to: old.length - end, insert: next.slice(start, next.length - end) } });
}

async function applyFix(index) {
  const asked = current();
  if (!same(asked, linted)) return; // the list is stale; the next lint replaces it
  const out = await engine.json("fix", asked.text, asked.target, asked.flags, index);
  if (out.error) return status(out.error, "error");
  if (current().text !== asked.text) return; // typed meanwhile
  replaceText(out.text);
  status(`Applied ${out.applied.join("; ").replaceAll("`", "")}`, "ok");
}

async function fixAll() {
  const asked = current();
  const out = await engine.json("fix", asked.text, asked.target, asked.flags, -1);
  if (out.error) return status(out.error, "error");
  if (current().text !== asked.text) return;
  replaceText(out.text);
}

// -- rule documentation, rendered in the page ----------------------------------------------------

const docs = new Map();

async function showDoc(code) {
  if (!docs.has(code)) docs.set(code, await engine.call("rule_doc", code));
  const md = docs.get(code);
  $("rule-doc-body").innerHTML = md ? render(md) : `<p>No rule ${escapeHtml(code)}.</p>`;
  $("rule-doc").hidden = false;
  $("rule-doc").dataset.code = code;
  $("rule-doc").scrollIntoView({ block: "nearest" });
}

$("rule-doc-close").addEventListener("click", () => ($("rule-doc").hidden = true));

// -- hover: the language server's text ------------------------------------------------------------

const hover = hoverTooltip(async (v, pos) => {
  const { text, target, flags } = current();
  const line = v.state.doc.lineAt(pos);
  const out = await engine.json("hover", text, line.number - 1, pos - line.from, target, flags);
  if (!out || v.state.doc.toString() !== text) return null;
  const { from, to } = range(v.state.doc, out.span);
  return {
    pos: from,
    end: to,
    above: true,
    create() {
      const dom = document.createElement("div");
      dom.className = "hover markdown";
      dom.innerHTML = render(out.markdown);
      return { dom };
    },
  };
});

// -- sharing: the config in the URL fragment, which never leaves the browser --------------------------

let fragmentTimer = 0;

function updateFragment() {
  clearTimeout(fragmentTimer);
  fragmentTimer = setTimeout(() => {
    const { text, target, flags } = current();
    history.replaceState(null, "", `#${encodeFragment({ config: text, target, flags })}`);
  }, 250);
}

$("share").addEventListener("click", async () => {
  const { text, target, flags } = current();
  clearTimeout(fragmentTimer);
  history.replaceState(null, "", `#${encodeFragment({ config: text, target, flags })}`);
  try {
    await navigator.clipboard.writeText(location.href);
    status("Link copied: it holds the config after the #, which stays in the browser", "ok");
  } catch {
    status("Copy the address bar: the link holds the config after the #", "ok");
  }
});

addEventListener("hashchange", () => {
  const next = decodeFragment(location.hash);
  if (next.config !== undefined && next.config !== view.state.doc.toString()) replaceText(next.config);
  if (next.target !== undefined) setOption("target", next.target);
  if (next.flags !== undefined) setOption("flags", next.flags);
});

// -- the editor and the options ------------------------------------------------------------------------

const view = new EditorView({
  doc: initial.config ?? EXAMPLE,
  parent: $("editor"),
  extensions: [
    basicSetup,
    StreamLanguage.define(toml),
    EditorView.lineWrapping,
    lintGutter(),
    hover,
    EditorView.updateListener.of((u) => {
      if (u.docChanged) {
        lint();
        updateFragment();
      }
    }),
  ],
});

function setOption(name, value) {
  options[name] = value;
  if (name === "target") $("target").value = value;
  else $("flags").value = value;
  lint();
}

$("target").addEventListener("change", (e) => {
  options.target = e.target.value;
  updateFragment();
  lint();
});
$("flags").addEventListener("input", (e) => {
  options.flags = e.target.value;
  updateFragment();
  lint();
});
$("fix-all").addEventListener("click", fixAll);

async function start() {
  try {
    // For bench/web_load.mjs: where the start-up time goes.
    window.bklintTimings = await engine.ready;
  } catch (err) {
    status(`Could not start bklint: ${err.message}`, "error");
    return;
  }
  const about = await engine.json("about");
  $("version").textContent = about.version;
  for (const v of about.versions) {
    const opt = document.createElement("option");
    opt.value = opt.textContent = v;
    $("target").append(opt);
  }
  $("target").value = options.target;
  $("flags").value = options.flags;
  const note = $("skipped");
  note.replaceChildren(
    "Not checked here: certificate and key checks that read the files a config names (",
    ...about.skipped.flatMap((s, i) => [i ? ", " : "", button(s.code, "code-link", () => showDoc(s.code))]),
    "), because a web page cannot read your files. Run ",
    Object.assign(document.createElement("code"), { textContent: "bklint check" }),
    " where the files are.",
  );
  note.hidden = false;
  status("Checking…");
  lint();
}

start();
