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
});
