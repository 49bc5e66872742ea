/** The URL of `child` under the request's own path (query dropped): where a new resource lives. */
export function resourceUrl(requestUrl: string, child: string): string {
  const url = new URL(requestUrl);
  url.search = "";
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/${encodeURIComponent(child)}`;
  return url.toString();
}
