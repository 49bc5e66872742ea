import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/config.js";
import type { Runtime } from "../../src/functions/runtime.js";
import { registerShutdown } from "../../src/functions/shutdownHook.js";

describe("registerShutdown", () => {
  it("closes the runtime (coordinator flush and lease release) when the app terminates", async () => {
    const handlers: Array<() => unknown> = [];
    let closed = 0;
    const rt: Runtime = {
      settings: readConfig({ DagqStorage: "UseDevelopmentStorage=true" }),
      names: {} as Runtime["names"],
      engine: () => Promise.reject(new Error("not used")),
      close: async () => {
        closed++;
      },
    };
    registerShutdown(rt, {
      appTerminate: (handler) => {
        handlers.push(() => handler({} as never));
        return { dispose() {} } as never;
      },
    });
    expect(handlers).toHaveLength(1);
    expect(closed).toBe(0);
    await handlers[0]!();
    expect(closed).toBe(1);
  });
});
