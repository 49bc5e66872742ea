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

  it("404s unknown routes and 405s a known route's other methods, listing the allowed ones", async () => {
    const unknown = await fetch(`${api}/nothing/here`, { headers: withKey });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: "no function at /api/nothing/here" });
    expect((await fetch(`${host.url}/workflows`, { headers: withKey })).status).toBe(404);
    const put = await fetch(`${api}/workflows`, { method: "PUT", headers: withKey });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("POST, GET");
    expect(await put.json()).toEqual({ error: "method PUT not allowed here (allowed: POST, GET)" });
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
