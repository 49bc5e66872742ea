import { describe, expect, it } from "vitest";
import { hostSettings, readHostJson, timeSpanMs } from "../../src/host/hostJson.js";

describe("host.json", () => {
  it("reads the repository's host.json as the local host will use it", async () => {
    expect(await readHostJson("host.json")).toEqual({
      queues: {
        batchSize: 32,
        newBatchThreshold: 16,
        maxPollingIntervalMs: 2000,
        visibilityTimeoutMs: 10_000,
        maxDequeueCount: 5,
        messageEncoding: "none",
      },
      routePrefix: "api",
      functionTimeoutMs: 600_000,
    });
  });

  it("applies the Functions defaults to what is absent", () => {
    expect(hostSettings({ version: "2.0" })).toEqual({
      queues: {
        batchSize: 16,
        newBatchThreshold: 8,
        maxPollingIntervalMs: 60_000,
        visibilityTimeoutMs: 0,
        maxDequeueCount: 5,
        messageEncoding: "base64",
      },
      routePrefix: "api",
      functionTimeoutMs: 300_000,
    });
  });

  it("reads messageEncoding in any case, as the host does", () => {
    for (const [text, expected] of [
      ["None", "none"],
      ["NONE", "none"],
      ["Base64", "base64"],
      ["base64", "base64"],
    ] as const) {
      const settings = hostSettings({
        version: "2.0",
        extensions: { queues: { messageEncoding: text } },
      });
      expect(settings.queues.messageEncoding, text).toBe(expected);
    }
    expect(() =>
      hostSettings({ version: "2.0", extensions: { queues: { messageEncoding: "utf8" } } }),
    ).toThrow(/messageEncoding/);
  });

  it("parses TimeSpans and refuses what the host would refuse", () => {
    expect(timeSpanMs("00:00:02")).toBe(2000);
    expect(timeSpanMs("1.02:03:04.5")).toBe(((26 * 60 + 3) * 60 + 4) * 1000 + 500);
    expect(() => hostSettings({ version: "1.0" })).toThrow(/invalid host.json/);
    expect(() =>
      hostSettings({ version: "2.0", extensions: { queues: { batchSize: 64 } } }),
    ).toThrow(/batchSize/);
    expect(() =>
      hostSettings({ version: "2.0", extensions: { queues: { maxPollingInterval: 2000 } } }),
    ).toThrow(/maxPollingInterval/);
  });
});
