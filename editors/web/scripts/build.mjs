// Build the static playground into dist/: the page, the worker, the Pyodide runtime from
// node_modules, bklint's wheel built from this repository, and the pure-Python wheels it
// needs (requirements.txt) from PyPI. Nothing in dist/ is fetched from elsewhere at run time.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repo = resolve(here, "../..");
const dist = join(here, "dist");
const python = process.env.PYTHON || "python3";

// The Pyodide runtime files the page loads (everything else in the package is for Node or docs).
// pyodide.mjs is served as pyodide.module.js: some static servers do not know `.mjs`, and a
// module script with the wrong MIME type is refused.
const PYODIDE_FILES = { "pyodide.mjs": "pyodide.module.js", "pyodide.asm.js": "pyodide.asm.js",
  "pyodide.asm.wasm": "pyodide.asm.wasm", "python_stdlib.zip": "python_stdlib.zip", "pyodide-lock.json": "pyodide-lock.json" };
// Top-level entries of the repository that the wheel does not need (kept out of the build copy).
const NOT_PACKAGE = new Set([".git", "build", "dist", "editors", "tests", "bench", "docs", "examples", ".venv",
  ".mypy_cache", ".pytest_cache", ".ruff_cache", ".benchmarks"]);

function run(cmd, args, opts = {}) {
  execFileSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], ...opts });
}

function wheels(out) {
  mkdirSync(out, { recursive: true });
  // Build from a clean copy: an in-tree build would leave build/ behind and could package stale files.
  const src = mkdtempSync(join(tmpdir(), "bklint-wheel-"));
  try {
    cpSync(repo, src, {
      recursive: true,
      filter: (p) => {
        const name = basename(p);
        return !NOT_PACKAGE.has(relative(repo, p).split(sep)[0]) && name !== "__pycache__" && !name.endsWith(".egg-info");
      },
    });
    run(python, ["-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", out, src]);
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
  run(python, ["-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", "--dest", out,
    "-r", join(here, "requirements.txt")]);
  const names = readdirSync(out).filter((n) => n.endsWith(".whl")).sort();
  for (const n of names) {
    if (!n.endsWith("-none-any.whl")) throw new Error(`${n} is not a pure-Python wheel; Pyodide cannot use it`);
  }
  writeFileSync(join(out, "wheels.json"), JSON.stringify(names) + "\n");
  return names;
}

function size(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((n, e) => n + size(join(path, e)), 0);
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, "pyodide"), { recursive: true });
for (const [from, to] of Object.entries(PYODIDE_FILES)) cpSync(join(here, "node_modules/pyodide", from), join(dist, "pyodide", to));
const names = wheels(join(dist, "py"));
await esbuild.build({
  entryPoints: { app: join(here, "src/main.js") },
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  outdir: dist,
  legalComments: "linked",
  logLevel: "warning",
});
cpSync(join(here, "src/worker.js"), join(dist, "worker.js"));
cpSync(join(here, "src/style.css"), join(dist, "style.css"));
const pyodideVersion = JSON.parse(readFileSync(join(here, "node_modules/pyodide/package.json"), "utf8")).version;
const html = readFileSync(join(here, "src/index.html"), "utf8").replaceAll("%PYODIDE_VERSION%", pyodideVersion);
writeFileSync(join(dist, "index.html"), html);
console.log(`dist/: ${(size(dist) / 1048576).toFixed(1)} MiB (Pyodide ${pyodideVersion}; ${names.join(", ")})`);
