import functions from "@azure/functions";
import type { Runtime } from "./runtime.js";

type AppHooks = Pick<typeof functions.app.hook, "appTerminate">;

/**
 * Graceful shutdown on Azure. Flex Consumption runs each queue and timer function on instances
 * of its own and stops instances when it scales in; the Node worker runs `appTerminate` hooks
 * before it exits. Closing the runtime lets the coordinator finish its queued work and release
 * its workflow leases, so another instance takes those workflows over at once rather than after
 * the lease lapses, and sends the metrics still buffered. Kept apart from the registrations so a
 * change to the coordinator's API touches one small file.
 */
export function registerShutdown(rt: Runtime, hooks: AppHooks = functions.app.hook): void {
  hooks.appTerminate(async () => {
    try {
      await rt.close();
    } catch (e) {
      // The process is going away either way; the leases then lapse on their own.
      console.error(
        JSON.stringify({ source: "dagq", level: "error", message: `shutdown: ${String(e)}` }),
      );
    }
  });
}
