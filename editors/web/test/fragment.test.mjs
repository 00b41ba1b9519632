// The shared-link format, without a browser.
import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeFragment, encodeFragment, fromBase64Url, toBase64Url } from "../src/fragment.js";

test("config round-trips through base64url, non-ASCII included", () => {
  const text = '# 日本 😀\n[registry."r.example"]\n  mirrors = ["m"]\n';
  const encoded = toBase64Url(text);
  assert.match(encoded, /^[A-Za-z0-9_-]+$/);
  assert.equal(fromBase64Url(encoded), text);
  assert.equal(encoded, Buffer.from(text).toString("base64url"));
});

test("links with padding or plain base64 still open", () => {
  const text = "[worker.oci]\n  max_parallelism = 4\n";
  assert.equal(decodeFragment(`#config=${Buffer.from(text).toString("base64")}`).config, text);
  assert.equal(decodeFragment(`#config=${Buffer.from(text).toString("base64url")}==`).config, text);
});

test("target version and flags ride along; broken parts are ignored", () => {
  const hash = `#${encodeFragment({ config: "a = 1\n", target: "v0.12", flags: "--debug --oci-worker-net=cni" })}`;
  assert.deepEqual(decodeFragment(hash), { config: "a = 1\n", target: "v0.12", flags: "--debug --oci-worker-net=cni" });
  assert.deepEqual(decodeFragment("#config=%%%&x"), {});
  assert.deepEqual(decodeFragment(""), {});
  assert.equal(encodeFragment({ config: "", target: "", flags: "" }), "config=");
});
