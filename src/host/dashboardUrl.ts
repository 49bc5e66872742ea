/**
 * The dashboard's address with the key in the fragment, which the browser never sends to a
 * server: the page takes it from there into the tab's session storage and drops it from the URL.
 */
export function dashboardUrl(hostUrl: string, key: string, routePrefix = "api"): string {
  return `${hostUrl}/${routePrefix}/dashboard/#key=${encodeURIComponent(key)}`;
}
