import { describe, expect, it } from "vitest";
import type { Tally } from "../../bench/countingProxy.js";
import { atLeast, atMost, jsonLine } from "../../bench/figure.js";
import { countedBetween, isPolling, totalRequests } from "../../bench/requestCounts.js";

describe("--json lines", () => {
  it("are one object with exactly metric, value, unit, target and pass", () => {
    const line = jsonLine(
      {
        metric: "e2e.tasks_per_s.1k",
        name: "x",
        value: 63.21,
        unit: "tasks/s",
        target: atLeast(200),
      },
      false,
    );
    expect(JSON.parse(line)).toEqual({
      metric: "e2e.tasks_per_s.1k",
      value: 63.21,
      unit: "tasks/s",
      target: ">= 200",
      pass: false,
    });
  });

  it("pass a bound that is met, on either side, and say quick in a quick run", () => {
    const at = (value: number, target = atMost(20)) =>
      JSON.parse(jsonLine({ metric: "m", name: "m", value, unit: "", target }, true));
    expect(at(20)).toMatchObject({ pass: true, target: "<= 20", quick: true });
    expect(at(20.01)).toMatchObject({ pass: false });
    expect(at(3000, atLeast(3000))).toMatchObject({ pass: true });
    expect(at(2999.9, atLeast(3000))).toMatchObject({ pass: false });
  });

  it("have pass null where the target is a reference, not a bound, and value null when not measured", () => {
    const ref = JSON.parse(
      jsonLine({ metric: "m", name: "m", value: 1, unit: "B", target: "flat" }, false),
    );
    expect(ref).toMatchObject({ target: "flat", pass: null });
    const none = JSON.parse(
      jsonLine(
        { metric: "m", name: "m", value: Number.NaN, unit: "ms", target: atMost(250) },
        false,
      ),
    );
    expect(none).toMatchObject({ value: null, pass: false });
  });
});

describe("requests counted between two snapshots", () => {
  const tally = (role: string, name: string, requests: number): Tally => ({
    key: { role, service: "queue", name, resource: "completions" },
    requests,
    ms: requests,
    messages: 0,
  });

  it("are the growth of each tally, for the roles asked, and nothing that did not grow", () => {
    const before = [tally("host", "send", 5), tally("worker", "send", 1)];
    const after = [
      tally("host", "send", 5),
      tally("worker", "send", 4),
      tally("bench", "send", 9),
      tally("host", "receive", 2),
    ];
    const counted = countedBetween(before, after, ["host", "worker"]);
    expect(counted.map((t) => [t.key.role, t.key.name, t.requests])).toEqual([
      ["worker", "send", 3],
      ["host", "receive", 2],
    ]);
    expect(totalRequests(counted)).toBe(5);
  });
});

describe("polling, told apart from work", () => {
  const cases: Array<[Tally["key"]["service"], string, string, boolean]> = [
    // Grows with time: receives that found nothing, looks, depth reads, registry, sweeps.
    ["queue", "receive (empty)", "tasks-default", true],
    ["queue", "receive (empty)", "control", true],
    ["queue", "metadata", "tasks-default", true],
    ["table", "query", "inbox", true],
    ["table", "upsert", "workers", true],
    ["table", "query", "workers", true],
    ["table", "query", "workflows", true],
    // Grows with work: a message's trip, a state write, the lease, a listing, the index row.
    ["queue", "receive", "tasks-default", false],
    ["queue", "send", "completions", false],
    ["queue", "delete", "completions", false],
    ["blob", "append", "journal", false],
    ["blob", "lease acquire", "head", false],
    ["blob", "list", "(container)", false],
    ["table", "upsert", "workflows", false],
  ];

  it.each(cases)("%s %s %s: polling %s", (service, name, resource, polling) => {
    const t: Tally = {
      key: { role: "host", service, name, resource },
      requests: 1,
      ms: 1,
      messages: 0,
    };
    expect(isPolling(t)).toBe(polling);
  });
});
