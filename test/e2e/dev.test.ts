import { describe, expect, it } from "vitest";
import { compileDefinition } from "../../src/core/index.js";
import { loadDefinitionFile } from "../../src/definitionFile.js";
import { devRun } from "../../src/dev/devRun.js";
import { readHostJson } from "../../src/host/hostJson.js";
import type { LocalResult } from "../../src/local/localResult.js";
import { runLocal } from "../../src/local/runner.js";

const hostJson = async () => {
  const s = await readHostJson("host.json");
  return { ...s, queues: { ...s.queues, maxPollingIntervalMs: 200 } };
};

/**
 * A result without what differs by nature between two runs: the id, and the line of a failed
 * attempt's reason that names its log (`whole log: dagq logs <id> …`), which holds the id.
 */
const withoutId = (r: LocalResult) => ({
  status: r.status,
  tasks: Object.fromEntries(
    Object.entries(r.tasks).map(([name, t]) => [
      name,
      t.reason === undefined
        ? t
        : { ...t, reason: t.reason.replace(/\nwhole log: dagq logs .*$/, "") },
    ]),
  ),
});

describe("dagq dev: the serverless path on the embedded default", () => {
  for (const example of [
    "ml-pipeline",
    "resilient-diamond",
    "fan-out-fan-in",
    "retry",
    "params",
    "map",
  ]) {
    it(`${example}: final task states and outputs equal run-local's`, async () => {
      const def = loadDefinitionFile(`examples/${example}.yaml`);
      const [dev, local] = await Promise.all([
        devRun(def, { workers: 2, concurrency: 4, hostJson: await hostJson() }),
        runLocal(def, { concurrency: 4 }),
      ]);
      expect(withoutId(dev)).toEqual(withoutId(local));
      expect(dev.status).toBe("completed");
    }, 60_000);
  }

  it("starts its workers on every queue the workflow uses (a gpu task no longer hangs)", async () => {
    const def = compileDefinition({
      name: "queues",
      tasks: [
        { name: "prep", command: "true" },
        { name: "train", command: "true", depends_on: ["prep"], queue: "gpu" },
        { name: "report", command: "true", depends_on: ["train"], queue: "reports-2" },
      ],
    });
    const lines: string[] = [];
    const dev = await devRun(def, {
      workers: 1,
      concurrency: 2,
      hostJson: await hostJson(),
      log: (l) => lines.push(l),
    });
    expect(dev.status).toBe("completed");
    expect(lines).toContain(
      "1 worker(s) on default, gpu, reports-2, 2 task(s) at once each per queue",
    );
  }, 60_000);

  it("times out a task, retries another to success, spills a large output that a child reads", async () => {
    const def = compileDefinition({
      name: "edges",
      defaults: { retry_backoff_s: 0.2 },
      tasks: [
        { name: "slow", command: "sleep 30", timeout_s: 1 },
        {
          name: "flaky",
          command: 'test "$DAGQ_ATTEMPT" -ge 2 && echo \'{"ok":true}\' > "$DAGQ_OUTPUT"',
          num_retries: 2,
        },
        {
          name: "big",
          command: `node -e 'require("fs").writeFileSync(process.env.DAGQ_OUTPUT, JSON.stringify({ blob: "y".repeat(200000), n: 3 }))'`,
        },
        {
          name: "read",
          depends_on: ["big"],
          condition: "inputs.big.n == 3",
          command: `node -e 'const i = JSON.parse(require("fs").readFileSync(process.env.DAGQ_INPUTS)); require("fs").writeFileSync(process.env.DAGQ_OUTPUT, JSON.stringify({ len: i.big.blob.length }))'`,
        },
      ],
    });
    const dev = await devRun(def, { workers: 1, concurrency: 4, hostJson: await hostJson() });
    expect(dev.status).toBe("failed");
    expect(dev.tasks.slow).toEqual({
      status: "failed",
      attempts: 1,
      output: null,
      reason: "timed out after 1s",
    });
    expect(dev.tasks.flaky).toMatchObject({
      status: "completed",
      attempts: 2,
      output: { ok: true },
    });
    expect(dev.tasks.read).toEqual({ status: "completed", attempts: 1, output: { len: 200000 } });
    // Spilled to a blob on the way, shown as the value: the same as run-local shows.
    expect(dev.tasks.big?.output).toEqual({ blob: "y".repeat(200000), n: 3 });
  }, 60_000);

  it("issue 8's edges give run-local's exact result: mixed skip/fail, always, __proto__, deep output", async () => {
    const deep = `${"[".repeat(3000)}${"]".repeat(3000)}`;
    const def = compileDefinition({
      name: "edges-8",
      tasks: [
        { name: "A", command: `printf '{"go":false}' > "$DAGQ_OUTPUT"` },
        { name: "B", depends_on: ["A"], condition: "inputs.A.go == true", command: "true" },
        { name: "C", depends_on: ["A"], command: "exit 1" },
        { name: "D", depends_on: ["B", "C"], dep_policy: "any", command: "true" },
        { name: "E", depends_on: ["B", "C"], dep_policy: 1, command: "true" },
        {
          name: "proto",
          command: `printf '{"__proto__": {"x": 1}, "constructor": 2}' > "$DAGQ_OUTPUT"`,
        },
        {
          name: "reads-proto",
          depends_on: ["proto"],
          condition: 'inputs.proto["__proto__"].x == 1',
          command: 'cp "$DAGQ_INPUTS" "$DAGQ_OUTPUT"',
        },
        { name: "deep", command: `printf '${deep}' > "$DAGQ_OUTPUT"` },
        {
          name: "cleanup",
          depends_on: ["C", "D", "deep"],
          dep_policy: "always",
          command: 'cp "$DAGQ_PARENT_STATES" "$DAGQ_OUTPUT"',
        },
      ],
    });
    const [dev, local] = await Promise.all([
      devRun(def, { workers: 1, concurrency: 4, hostJson: await hostJson() }),
      runLocal(def, { concurrency: 4 }),
    ]);
    expect(withoutId(dev)).toEqual(withoutId(local));
    expect(dev.status).toBe("failed");
    expect(dev.tasks.D?.status).toBe("upstream_failed");
    expect(dev.tasks.E?.status).toBe("upstream_failed");
    expect(JSON.stringify(dev.tasks["reads-proto"]?.output)).toBe(
      '{"proto":{"__proto__":{"x":1},"constructor":2}}',
    );
    expect(dev.tasks.deep?.reason).toMatch(/nested more than 64 levels deep/);
    expect(dev.tasks.cleanup?.output).toEqual({
      C: "failed",
      D: "upstream_failed",
      deep: "failed",
    });
  }, 60_000);

  it("prints a dashboard link that serves the page and a spilled output through the API", async () => {
    const def = compileDefinition({
      name: "linked",
      tasks: [
        {
          name: "out/big",
          command: `node -e 'require("fs").writeFileSync(process.env.DAGQ_OUTPUT, JSON.stringify({ blob: "z".repeat(100000) }))'`,
        },
        // Keeps the run going while the test looks.
        { name: "out/wait", command: "sleep 4", depends_on: ["out/big"] },
      ],
    });
    let checked: Promise<{ page: string; length: number }> | null = null;
    const dev = await devRun(def, {
      workers: 1,
      concurrency: 2,
      hostJson: await hostJson(),
      onDashboard: (link) => {
        const match = /^(http:\/\/127\.0\.0\.1:\d+)\/api\/dashboard\/#key=(.+)$/.exec(link);
        expect(match, link).not.toBeNull();
        const [, origin, key] = match!;
        const headers = { "x-functions-key": decodeURIComponent(key!) };
        checked = (async () => {
          const page = await (await fetch(link.replace(/#.*$/, ""))).text();
          const api = `${origin}/api/workflows`;
          const { workflows } = (await (await fetch(api, { headers })).json()) as {
            workflows: Array<{ id: string }>;
          };
          const output = `${api}/${workflows[0]!.id}/tasks/out%2Fbig/output`;
          for (;;) {
            const body = (await (await fetch(output, { headers })).json()) as {
              output: { blob: string } | null;
            };
            if (body.output) return { page, length: body.output.blob.length };
            await new Promise((r) => setTimeout(r, 200));
          }
        })();
      },
    });
    expect(dev.status).toBe("completed");
    const seen = await checked!;
    expect(seen.page).toContain("<title>dagq</title>");
    expect(seen.length).toBe(100_000);
  }, 60_000);

  it("cancel kills a running sleep and ends the workflow cancelled", async () => {
    const marker = `/tmp/dagq-dev-cancel-${process.pid}`;
    const def = compileDefinition({
      name: "cancel",
      tasks: [
        { name: "nap", command: `echo $$ > ${marker}; exec sleep 60` },
        { name: "after", command: "true", depends_on: ["nap"] },
      ],
    });
    const fs = await import("node:fs");
    const abort = new AbortController();
    const started = Date.now();
    const dev = devRun(def, {
      workers: 1,
      concurrency: 2,
      hostJson: await hostJson(),
      signal: abort.signal,
      onProgress: (s) => {
        if (s.counts.running > 0 && !abort.signal.aborted) abort.abort("test cancels");
      },
    });
    const result = await dev;
    expect(result.status).toBe("cancelled");
    expect(result.tasks.nap).toMatchObject({ status: "cancelled", reason: "test cancels" });
    expect(result.tasks.after).toMatchObject({ status: "cancelled" });
    const pid = Number(fs.readFileSync(marker, "utf8"));
    expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
    expect(Date.now() - started).toBeLessThan(30_000);
    fs.rmSync(marker);
  }, 60_000);

  it("a 2,000-parent fan-in completes, its child seeing every parent's output", async () => {
    const leaves = Array.from({ length: 2000 }, (_, i) => `leaf/${i}`);
    const def = compileDefinition({
      name: "fan-in",
      tasks: [
        ...leaves.map((name) => ({ name, command: `printf '{"ok":true}' > "$DAGQ_OUTPUT"` })),
        {
          name: "join",
          depends_on: leaves,
          condition: 'count(inputs["leaf/*"].ok) == 2000',
          command: `node -e 'const i = JSON.parse(require("fs").readFileSync(process.env.DAGQ_INPUTS)); require("fs").writeFileSync(process.env.DAGQ_OUTPUT, JSON.stringify({ parents: Object.keys(i).length }))'`,
        },
      ],
    });
    const dev = await devRun(def, { workers: 2, concurrency: 8, hostJson: await hostJson() });
    expect(dev.status).toBe("completed");
    expect(dev.tasks.join).toEqual({ status: "completed", attempts: 1, output: { parents: 2000 } });
  }, 120_000);
});
