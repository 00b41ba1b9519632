// The engine's thread: Pyodide with bklint's wheel, answering the page one request at a time,
// so typing never waits for Python. Everything is loaded from this site (dist/): the runtime
// from pyodide/, the wheels listed in py/wheels.json. Pyodide's package index is never used.
import { loadPyodide } from "./pyodide/pyodide.module.js"; // pyodide.mjs (scripts/build.mjs)

const here = new URL("./", import.meta.url);
// The calls the page may make: functions of bklint.lsp.playground, each answering JSON text.
const OPS = new Set(["about", "lint", "fix", "hover", "rule_doc"]);

async function fetchBytes(path) {
  const response = await fetch(new URL(path, here));
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

let timings = null; // milliseconds: starting Pyodide, then installing and importing bklint

async function boot() {
  const wheels = fetch(new URL("py/wheels.json", here))
    .then((r) => r.json())
    .then((names) => Promise.all(names.map((n) => fetchBytes(`py/${n}`))));
  const t0 = performance.now();
  const pyodide = await loadPyodide({ indexURL: new URL("pyodide/", here).href, packages: [] });
  const t1 = performance.now();
  for (const wheel of await wheels) pyodide.unpackArchive(wheel, "wheel");
  const api = pyodide.pyimport("bklint.lsp.playground");
  timings = { runtime: Math.round(t1 - t0), bklint: Math.round(performance.now() - t1) };
  return api;
}

const engine = boot();
engine.then(
  () => postMessage({ type: "ready", timings }),
  (err) => postMessage({ type: "fatal", message: String(err && err.message ? err.message : err) }),
);

onmessage = async ({ data }) => {
  const { id, op, args } = data;
  try {
    if (!OPS.has(op)) throw new Error(`unknown request ${op}`);
    const api = await engine;
    postMessage({ id, result: api[op](...args) });
  } catch (err) {
    postMessage({ id, error: String(err && err.message ? err.message : err) });
  }
};
