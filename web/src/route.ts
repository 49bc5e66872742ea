import { useEffect, useState } from "preact/hooks";

/**
 * Hash routes, so that every page is the one static index.html and links survive a reload:
 * `#/` the list, `#/w/ID` a workflow, with their filters as query parameters, `#/workers` the
 * workers.
 */
export type Route =
  | { readonly page: "list"; readonly query: URLSearchParams }
  | { readonly page: "workers" }
  | { readonly page: "workflow"; readonly id: string; readonly query: URLSearchParams };

export function parseRoute(hash: string): Route {
  const [path = "", search = ""] = hash.replace(/^#/, "").split("?", 2);
  const query = new URLSearchParams(search);
  const workflow = /^\/w\/([^/]+)$/.exec(path);
  if (workflow) return { page: "workflow", id: decodeURIComponent(workflow[1]!), query };
  if (path === "/workers") return { page: "workers" };
  return { page: "list", query };
}

export function href(path: string, query: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) q.set(k, v);
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ""}`;
}

/** Replaces the query of the current route without a new history entry (filters, selection). */
export function setQuery(changes: Record<string, string | undefined>): void {
  const [path = "", search = ""] = location.hash.replace(/^#/, "").split("?", 2);
  const q = new URLSearchParams(search);
  for (const [k, v] of Object.entries(changes)) {
    if (v) q.set(k, v);
    else q.delete(k);
  }
  const s = q.toString();
  history.replaceState(null, "", `#${path}${s ? `?${s}` : ""}`);
  window.dispatchEvent(new HashChangeEvent("hashchange"));
}

export function useRoute(): Route {
  const [route, set] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => set(parseRoute(location.hash));
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return route;
}
