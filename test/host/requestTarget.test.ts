/**
 * Found by the HTTP fuzz: the local host built the request's URL from the raw target and the
 * Host header, so a target starting with `//` (scheme-relative: `//%23N` names a host) or a
 * Host header that is no host threw "Invalid URL", answered 500. A path is a path; a bad one
 * is the client's error.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostSettings } from "../../src/host/hostJson.js";
import { type LocalHost, startLocalHost } from "../../src/host/localHost.js";
import { memoryRuntime, testConfig } from "../functions/httpFixture.js";

const KEY = "k";
let host: LocalHost;
beforeAll(async () => {
  const config = testConfig();
  host = await startLocalHost({
    config,
    engine: memoryRuntime(config).engine,
    hostJson: hostSettings({ version: "2.0" }),
    keys: { function: [KEY] },
    statsEveryMs: 0,
  });
});
afterAll(() => host.stop());

/** A raw request: fetch would normalize the target and refuse to set Host. */
function raw(method: string, target: string, hostHeader?: string): Promise<number> {
  const { port } = new URL(host.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method,
        path: target,
        headers: { "x-functions-key": KEY, ...(hostHeader ? { host: hostHeader } : {}) },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.once("error", reject);
    req.end();
  });
}

describe("the local host's request target", () => {
  it("takes a target starting with // as a path, not a host", async () => {
    expect(await raw("PATCH", "//%23N")).toBe(404);
    expect(await raw("GET", "//")).toBe(404);
    expect(await raw("GET", "//api/summary")).toBe(404);
  });

  it("does not let the Host header break the request", async () => {
    expect(await raw("GET", "/api/summary", "a b")).toBe(200);
    expect(await raw("GET", "/api/summary", "%")).toBe(200);
  });
});
