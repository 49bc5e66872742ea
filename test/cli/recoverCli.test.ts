import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectStorage } from "../../src/azure/connect.js";
import { DagqClient } from "../../src/client/index.js";
import type { LocalHost } from "../../src/host/localHost.js";
import { type RunningWorker, startWorker } from "../../src/worker/startWorker.js";
import { azuriteConnectionString } from "../support/azurite.js";
import { dagqProcess } from "../support/dagqProcess.js";
import { startTestHost, uniquePrefix } from "../support/testHost.js";

/**
 * `dagq submit --id --param` and `dagq rerun` as real processes against a local host on
 * Azurite, with a real worker running the commands.
 */
const KEY = "recover-cli-key";
const prefix = uniquePrefix("rc");
let host: LocalHost;
let worker: RunningWorker;
let client: DagqClient;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "dagq-recover-cli-"));
  host = await startTestHost(prefix, KEY);
  client = new DagqClient({ url: host.url, key: KEY });
  worker = startWorker({
    storage: connectStorage({
      connectionString: azuriteConnectionString(),
      container: `${prefix}-workflows`,
    }),
    prefix,
    queue: "default",
    concurrency: 4,
    pollMaxMs: 200,
    signalPollMs: 1000,
    shutdownGraceMs: 2000,
  });
});

afterAll(async () => {
  await worker?.stop();
  await host?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const dagq = (args: string[]) => dagqProcess(args, { env: { DAGQ_URL: host.url, DAGQ_KEY: KEY } });

describe("dagq submit --id --param, and dagq rerun", () => {
  it("submits under an id with parameters; again is the same workflow; a failed task reruns", async () => {
    const marker = join(dir, "fixed");
    const file = join(dir, "wf.yaml");
    writeFileSync(
      file,
      `name: cli-recover
params: {rows: 1}
tasks:
  - name: load
    command: ${JSON.stringify(`printf '{"rows": %s}' "$DAGQ_PARAM_rows" > "$DAGQ_OUTPUT"`)}
  - name: check
    depends_on: [load]
    condition: inputs.load.rows == params.rows
    command: ${JSON.stringify(`test -f '${marker}'`)}
`,
    );
    const id = "cli-recover-1";
    const first = await dagq(["submit", file, "--id", id, "--param", "rows=7"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe(`${id}\n`);
    const again = await dagq(["submit", file, "--id", id, "--param", "rows=7", "--watch"]);
    expect(again.code).toBe(1); // the same workflow, watched to its end: check failed
    expect(again.stdout.split("\n")[0]).toBe(id);
    const other = await dagq(["submit", file, "--id", id, "--param", "rows=8"]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/exists with another definition \(or other parameters\)/);
    const badType = await dagq(["submit", file, "--param", "rows=many"]);
    expect(badType.code).toBe(2);
    expect(badType.stderr).toMatch(
      /params\.rows: expected number \(the type of its default\), got string/,
    );

    writeFileSync(marker, "");
    const rerun = await dagq(["rerun", id, "--watch"]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toMatch(`${id}: rerunning 1 task(s)`);
    const tasks: Record<string, [string, number]> = {};
    for await (const t of client.tasksAll(id)) tasks[t.name] = [t.status, t.attempts];
    expect(tasks).toEqual({ check: ["completed", 2], load: ["completed", 1] });
    const nothing = await dagq(["rerun", id]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/the workflow is completed/);
    expect((await dagq(["rerun", "no-such-workflow"])).code).toBe(4);
  }, 90_000);
});
