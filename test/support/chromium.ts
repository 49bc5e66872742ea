/**
 * Debian's Chromium for the browser tests, installed where missing: `npm ci && npm test` must
 * work on a fresh machine, and Playwright's own browser download cannot (no network but the
 * package registries). Where it cannot be installed, the browser tests skip and say why.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type BrowserContext, chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
/** Headless on a closed network: no GPU, no QUIC, no background calls to Google's hosts. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const run = promisify(execFile);
let installing: Promise<string | null> | null = null;

/** Null when Chromium is there (installed now if need be), else why the browser tests skip. */
export function ensureChromium(): Promise<string | null> {
  installing ??= install();
  return installing;
}

/** What to do on this machine: nothing, install, or skip for the reason given. */
export function chromiumPlan(machine: {
  readonly exists: (path: string) => boolean;
  readonly platform: string;
  readonly uid: number | undefined;
}): "ready" | "install" | { readonly skip: string } {
  if (machine.exists(CHROMIUM)) return "ready";
  if (machine.platform !== "linux" || !machine.exists("/usr/bin/apt-get")) {
    return { skip: `no ${CHROMIUM}, and no apt-get to install Debian's chromium package` };
  }
  if (machine.uid !== 0) {
    return {
      skip: `no ${CHROMIUM}: run \`sudo apt-get install -y chromium\` (the tests install it only as root)`,
    };
  }
  return "install";
}

async function install(): Promise<string | null> {
  const plan = chromiumPlan({
    exists: existsSync,
    platform: process.platform,
    uid: process.getuid?.(),
  });
  if (plan === "ready") return null;
  if (plan !== "install") return plan.skip;
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  try {
    await run("apt-get", ["update"], { env, timeout: 240_000 });
    await run("apt-get", ["install", "-y", "chromium"], {
      env,
      timeout: 480_000,
    });
  } catch (e) {
    return `apt-get install chromium failed: ${String((e as Error).message).slice(0, 300)}`;
  }
  return existsSync(CHROMIUM) ? null : `apt-get installed chromium, but ${CHROMIUM} is missing`;
}

/** A fresh headless Chromium with an empty profile of its own. */
export async function launchChromium(): Promise<BrowserContext> {
  const profile = await mkdtemp(join(tmpdir(), "dagq-chromium-"));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1400, height: 900 },
  });
}
