import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostSettings } from "../../src/host/hostJson.js";
import { type LocalHost, startLocalHost } from "../../src/host/localHost.js";
import { MAX_BYTES, memoryRuntime, pair, testConfig } from "./httpFixture.js";

const KEY = "test-function-key";
let host: LocalHost;
let api: string;

beforeAll(async () => {
  const config = testConfig();
  host = await startLocalHost({
    config,
    engine: memoryRuntime(config).engine,
    hostJson: hostSettings({ version: "2.0" }),
    keys: { function: [KEY], master: "test-master-key" },
    statsEveryMs: 0,
  });
  api = `${host.url}/api`;
});

afterAll(() => host.stop());

const withKey = { "x-functions-key": KEY };

describe("the local host's HTTP front", () => {
  it("refuses a missing or wrong key with 401 and accepts the header, the code parameter, the master key", async () => {
    const missing = await fetch(`${api}/summary`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({
      error: "missing or invalid function key (x-functions-key header or code parameter)",
    });
    expect((await fetch(`${api}/summary`, { headers: { "x-functions-key": "nope" } })).status).toBe(
      401,
    );
    expect((await fetch(`${api}/summary?code=nope`)).status).toBe(401);
    expect((await fetch(`${api}/summary`, { headers: withKey })).status).toBe(200);
    expect((await fetch(`${api}/summary?code=${KEY}`)).status).toBe(200);
    expect((await fetch(`${api}/summary?code=test-master-key`)).status).toBe(200);
  });

  it("404s unknown routes, and a known route's other methods, as the Functions host does", async () => {
    const unknown = await fetch(`${api}/nothing/here`, { headers: withKey });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: "no function for GET /api/nothing/here" });
    expect((await fetch(`${host.url}/workflows`, { headers: withKey })).status).toBe(404);
    // Azure registers a route per method: PUT workflows matches no function at all.
    const put = await fetch(`${api}/workflows`, { method: "PUT", headers: withKey });
    expect(put.status).toBe(404);
    expect(put.headers.get("allow")).toBeNull();
    expect(await put.json()).toEqual({ error: "no function for PUT /api/workflows" });
  });

  it("accepts the host's clientId parameter beside code", async () => {
    expect((await fetch(`${api}/summary?code=${KEY}&clientId=default`)).status).toBe(200);
  });

  it("submits, reads and cancels through routes with parameters", async () => {
    const created = await fetch(`${api}/workflows`, {
      method: "POST",
      headers: { ...withKey, "content-type": "application/json" },
      body: JSON.stringify(pair),
    });
    expect(created.status).toBe(201);
    const { id, url } = (await created.json()) as { id: string; url: string };
    expect(url).toBe(`${api}/workflows/${id}`);
    const status = await fetch(`${url}?detail=true`, { headers: withKey });
    expect(await status.json()).toMatchObject({ id, status: "running", total: 2 });
    const tasks = await fetch(`${url}/tasks?prefix=prep/`, { headers: withKey });
    expect(await tasks.json()).toMatchObject({
      tasks: [{ name: "prep/a", status: "ready" }],
      next: null,
    });
    const cancel = await fetch(`${url}/cancel`, { method: "POST", headers: withKey });
    expect(cancel.status).toBe(202);
    expect(await cancel.json()).toEqual({ id, cancel: "applied" });
  });

  it("refuses oversize bodies with 413, declared or streamed", async () => {
    const big = new Uint8Array(MAX_BYTES * 3).fill(0x20);
    const declared = await fetch(`${api}/workflows`, {
      method: "POST",
      headers: withKey,
      body: big,
    });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ error: `the request body exceeds ${MAX_BYTES} bytes` });
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 6; i++) c.enqueue(new Uint8Array(MAX_BYTES).fill(0x20));
        c.close();
      },
    });
    const chunked = await fetch(`${api}/workflows`, {
      method: "POST",
      headers: withKey,
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(host.stats.counter("host.http.requests")).toBeGreaterThanOrEqual(2);
  });

  it("answers 413 to a huge streamed body too, not a connection reset", async () => {
    const mib = new Uint8Array(1024 * 1024).fill(0x20);
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        // 64 MiB in all: far past what the host reads, as a misbehaving client would send.
        if (sent++ < 64) c.enqueue(mib);
        else c.close();
      },
    });
    const r = await fetch(`${api}/workflows`, {
      method: "POST",
      headers: withKey,
      body: endless,
      duplex: "half",
    } as RequestInit);
    expect(r.status).toBe(413);
    expect(await r.json()).toEqual({ error: `the request body exceeds ${MAX_BYTES} bytes` });
  });

  it("passes YAML through and answers a bad definition with the handler's 400", async () => {
    const yaml = await fetch(`${api}/workflows`, {
      method: "POST",
      headers: { ...withKey, "content-type": "application/yaml" },
      body: "name: y\ntasks:\n  - {name: a, command: echo}\n",
    });
    expect(yaml.status).toBe(201);
    const bad = await fetch(`${api}/workflows`, {
      method: "POST",
      headers: { ...withKey, "content-type": "application/json" },
      body: "{",
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^invalid JSON/);
  });
});

describe("functionTimeout on the local host's HTTP front", () => {
  it("answers 500 when a handler runs past functionTimeout, and logs what Azure would", async () => {
    const config = testConfig();
    const logs: string[] = [];
    const slow = await startLocalHost({
      config,
      engine: memoryRuntime(config).engine,
      hostJson: { ...hostSettings({ version: "2.0" }), functionTimeoutMs: 300 },
      keys: { function: [KEY] },
      statsEveryMs: 0,
      log: (level, message) => logs.push(`${level} ${message}`),
      functions: () => [
        {
          name: "sleepy",
          trigger: { kind: "http", methods: ["GET"], route: "sleepy", authLevel: "function" },
          handler: async () => {
            await new Promise((r) => setTimeout(r, 3000));
            return { status: 200 };
          },
        },
      ],
    });
    try {
      const started = Date.now();
      const res = await fetch(`${slow.url}/api/sleepy`, { headers: withKey });
      expect(res.status).toBe(500);
      expect(Date.now() - started).toBeLessThan(2500);
      expect(
        logs.some((l) => /^error \[sleepy\] timeout value of 00:00:00\.300 exceeded/.test(l)),
      ).toBe(true);
    } finally {
      await slow.stop();
    }
  });
});
