/**
 * The function key, asked once and kept for the tab's session (sessionStorage: gone when the
 * tab closes, never shared with other tabs). `dagq host` prints a link carrying it in the
 * fragment (`#key=...`), which never reaches a server; it is taken from there and removed.
 */
const KEY = "dagq.functionKey";

export function takeKeyFromFragment(): void {
  const match = /^#key=([^&]+)/.exec(location.hash);
  if (!match) return;
  sessionStorage.setItem(KEY, decodeURIComponent(match[1]!));
  history.replaceState(null, "", `${location.pathname}${location.search}#/`);
}

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function storeKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(KEY);
}
