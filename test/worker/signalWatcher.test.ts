import { describe, expect, it } from "vitest";
import { MemoryBlobStore } from "../../src/memory/memoryBlobStore.js";
import { SignalWatcher } from "../../src/worker/signalWatcher.js";

/** The signals blob crosses a process boundary: workers validate it before acting on it. */
describe("SignalWatcher", () => {
  const setup = async (content: string) => {
    const blobs = new MemoryBlobStore();
    await blobs.ensure();
    await blobs.write("wf/x/signals.json", new TextEncoder().encode(content));
    const names = {
      signalsBlob: (id: string) => `wf/${id}/signals.json`,
      headBlob: (id: string) => `wf/${id}/head`,
      workflowPrefix: (id: string) => `wf/${id}/`,
    };
    const watcher = new SignalWatcher(blobs, names, 60_000);
    const aborted: string[] = [];
    const stop = watcher.watch("x", { task: "a", attempt: 2, abort: (why) => aborted.push(why) });
    return { watcher, aborted, stop };
  };

  it("aborts the attempts a valid blob cancels or kills", async () => {
    const { watcher, aborted, stop } = await setup(
      JSON.stringify({ cancelled: false, kill: ["a#2"] }),
    );
    await watcher.poll();
    expect(aborted).toEqual(["attempt superseded"]);
    stop();
  });

  it.each([
    ["not JSON", "{cancelled: true"],
    ["the wrong shape", JSON.stringify({ cancelled: "yes", kill: "a#2" })],
  ])("ignores a blob that is %s: no abort, no crash of the poll", async (_, content) => {
    const { watcher, aborted, stop } = await setup(content);
    await expect(watcher.poll()).resolves.toBeUndefined();
    expect(aborted).toEqual([]);
    stop();
  });

  it("vetoes a launch from one listing of the workflow's folder; a read only when signals exist", async () => {
    const blobs = new MemoryBlobStore();
    await blobs.ensure();
    const put = (path: string, text = "{}") => blobs.write(path, new TextEncoder().encode(text));
    const names = {
      signalsBlob: (id: string) => `wf/${id}/signals.json`,
      headBlob: (id: string) => `wf/${id}/head`,
      workflowPrefix: (id: string) => `wf/${id}/`,
    };
    const calls: string[] = [];
    const counted = new Proxy(blobs, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (typeof v !== "function") return v;
        return (...args: unknown[]) => {
          calls.push(`${String(prop)} ${String(args[0])}`);
          return v.apply(target, args);
        };
      },
    });
    // Reads are shared for 1 s; a clock that moves 2 s per call makes every call look again.
    let now = 0;
    const watcher = new SignalWatcher(
      counted,
      names,
      60_000,
      () => {},
      1000,
      () => (now += 2000),
    );
    await put("wf/ok/head");
    await put("wf/ok/outputs/head/1.json"); // a task named "head": in a sub-folder, not the head
    await put("wf/gone/outputs/a/1.json"); // purged, but a late output left behind
    await put("wf/stop/head");
    await put("wf/stop/signals.json", JSON.stringify({ cancelled: true, reason: "by hand" }));
    await put("wf/zombie/head");
    await put("wf/zombie/signals.json", JSON.stringify({ kill: ["a#1"] }));

    expect(await watcher.vetoed("ok", "a", 1)).toBeUndefined();
    expect(calls).toEqual(["listTop wf/ok/"]);
    expect(await watcher.vetoed("gone", "a", 1)).toBe("the workflow no longer exists (purged)");
    expect(await watcher.vetoed("stop", "a", 1)).toBe("the workflow was cancelled: by hand");
    expect(await watcher.vetoed("zombie", "a", 1)).toBe("the attempt was superseded");
    expect(await watcher.vetoed("zombie", "a", 2)).toBeUndefined();
    expect(calls.filter((c) => c.startsWith("read"))).toHaveLength(3);
  });
});
