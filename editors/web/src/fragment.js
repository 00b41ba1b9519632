// A shared link: `#config=<base64url of the UTF-8 text>`, optionally `&target-version=…&flags=…`.
// It lives in the URL fragment, which browsers never send to a server.

export function toBase64Url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function fromBase64Url(value) {
  // Also accepts plain base64 and padding, as people paste what their tool made.
  const b64 = value.trim().replaceAll("-", "+").replaceAll("_", "/").replace(/=+$/, "");
  const binary = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

/** `{config, target, flags}` from a location hash; a part that is absent or unreadable is undefined. */
export function decodeFragment(hash) {
  // URLSearchParams would turn a `+` of plain base64 into a space: split by hand.
  const out = {};
  for (const part of hash.replace(/^#/, "").split("&")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    try {
      if (key === "config") out.config = fromBase64Url(decodeURIComponent(value));
      else if (key === "target-version") out.target = decodeURIComponent(value);
      else if (key === "flags") out.flags = decodeURIComponent(value);
    } catch {
      // a truncated or mangled link: ignore that part
    }
  }
  return out;
}

export function encodeFragment({ config, target, flags }) {
  let out = `config=${toBase64Url(config)}`;
  if (target) out += `&target-version=${encodeURIComponent(target)}`;
  if (flags) out += `&flags=${encodeURIComponent(flags)}`;
  return out;
}
