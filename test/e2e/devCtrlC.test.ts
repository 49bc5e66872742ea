import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Ctrl-C on `dagq dev` in a real terminal: a pseudo-terminal from util-linux's `script`, whose
 * line discipline turns the ^C typed on it into SIGINT for the whole foreground process group,
 * as a terminal does (a plain `kill -INT` to one pid would not show the bug: the Azurite child
 * got the terminal's SIGINT too, and dev hung for over a minute).
 */
const hasScript = spawnSync("script", ["--version"]).status === 0;

const dir = mkdtempSync(join(tmpdir(), "dagq-ctrlc-"));
const file = join(dir, "wf.yaml");
writeFileSync(
  file,
  "name: ctrlc\ntasks:\n  - name: a\n    command: sleep 60\n  - name: b\n    command: sleep 60\n  - name: c\n    depends_on: [a, b]\n    command: echo done\n",
);

interface Session {
  readonly output: () => string;
  type(text: string): void;
  readonly exited: Promise<{ code: number | null; at: number }>;
  until(pattern: RegExp, timeoutMs: number): Promise<void>;
}

function inTerminal(args: readonly string[]): Session {
  const cmd = [process.execPath, "--import", "tsx", "src/cli/main.ts", ...args].join(" ");
  const child = spawn("script", ["-qfec", cmd, "/dev/null"], {
    env: { ...process.env, NO_COLOR: "1", TERM: "xterm" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (c: Buffer) => {
    out += c.toString("utf8");
  });
  child.stderr.on("data", (c: Buffer) => {
    out += c.toString("utf8");
  });
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.on("close", (code) => resolve({ code, at: Date.now() })),
  );
  return {
    output: () => out,
    type: (text) => child.stdin.write(text),
    exited,
    async until(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(out)) {
        if (Date.now() > deadline) {
          child.kill("SIGKILL");
          throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${out.slice(-2000)}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

describe.skipIf(!hasScript)("Ctrl-C on dagq dev in a pseudo-terminal", () => {
  it("the first Ctrl-C cancels and prints the summary within seconds; exit 130", async () => {
    const dev = inTerminal(["dev", file]);
    await dev.until(/2 running/, 60_000);
    const pressed = Date.now();
    dev.type("\x03");
    const { code, at } = await dev.exited;
    expect(code).toBe(130);
    expect(at - pressed).toBeLessThan(15_000);
    expect(dev.output()).toMatch(/ctrlc: cancelled in [\d.]+s \(id [a-z0-9-]+\)/);
    expect(dev.output()).toMatch(/cancelled a, b, c: interrupted by Ctrl-C/);
  }, 90_000);

  it("a second Ctrl-C exits at once", async () => {
    const dev = inTerminal(["dev", file]);
    await dev.until(/2 running/, 60_000);
    dev.type("\x03");
    await dev.until(/press it again to exit at once/, 5_000);
    const pressed = Date.now();
    dev.type("\x03");
    const { code, at } = await dev.exited;
    expect(code).toBe(130);
    expect(at - pressed).toBeLessThan(3_000);
  }, 90_000);
});

if (!hasScript)
  console.warn(
    "skipped the Ctrl-C test: `script` (util-linux) is not installed, so there is no pseudo-terminal",
  );
