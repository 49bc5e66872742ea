import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { HttpHandler, HttpResponseInit } from "@azure/functions";
import { jsonError } from "./http/httpError.js";
import { jsonEndpoint } from "./http/jsonEndpoint.js";

/**
 * Where `npm run build` puts the dashboard (web/ built by Vite), relative to this module:
 * dist/functions/ → dist/web/ once built, src/functions/ → dist/web/ under tsx, and next to a
 * bundled entry point. The first that holds an index.html is served.
 */
const CANDIDATES = ["../web/", "../../dist/web/", "./dist/web/", "./web/"];

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".map": "application/json",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * The page may load only its own files and call only its own origin (the API beside it);
 * inline style attributes are Preact's way of sizing the graph and table.
 */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

interface Asset {
  readonly bytes: Uint8Array;
  readonly type: string;
}

/**
 * GET dashboard/{*path}, anonymous: the dashboard's static files. Only the files found in the
 * build folder when first asked are served, looked up by exact relative path, so no request
 * path can reach anything else. The API the page calls still needs the function key.
 */
export function dashboardHandler(root: string | null = findRoot()): HttpHandler {
  let assets: Promise<Map<string, Asset>> | null = null;
  return jsonEndpoint(async (request) => {
    if (root === null) {
      return jsonError(404, "the dashboard is not built here: run `npm run build`");
    }
    assets ??= loadAssets(root);
    const path = request.params.path ?? "";
    if (path === "") {
      const url = new URL(request.url);
      // Relative asset URLs (./assets/x.js) resolve against the folder only with the slash.
      if (!url.pathname.endsWith("/")) {
        return { status: 308, headers: { location: `${url.pathname}/${url.search}` } };
      }
    }
    const file = (await assets).get(path === "" ? "index.html" : path);
    if (!file) return jsonError(404, `no dashboard file "${path}"`);
    return serve(file, path);
  });
}

function serve(file: Asset, path: string): HttpResponseInit {
  // Vite names what it builds under assets/ by content hash: those never change.
  const immutable = path.startsWith("assets/");
  return {
    status: 200,
    body: file.bytes,
    headers: {
      "content-type": file.type,
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      ...(file.type.startsWith("text/html") ? { "content-security-policy": CSP } : {}),
    },
  };
}

function findRoot(): string | null {
  for (const candidate of CANDIDATES) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(join(dir, "index.html"))) return dir;
  }
  return null;
}

async function loadAssets(root: string): Promise<Map<string, Asset>> {
  const out = new Map<string, Asset>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    const type = TYPES[extname(entry.name).toLowerCase()];
    if (!type) continue;
    const path = relative(root, full).split(sep).join("/");
    out.set(path, { bytes: new Uint8Array(await readFile(full)), type });
  }
  return out;
}
