/**
 * Watches the shared Azurite for stalls: one small request at a time to the queue port, and a
 * note of every answer slower than STALL_MS. A timing-sensitive test that fails in a full run
 * can then be set against what the emulator was doing (its queue GC blocks its only thread).
 */
import { request } from "node:http";

const EVERY_MS = 500;
const STALL_MS = 2_000;

export interface StallWatch {
  /** Stops watching; the stalls seen, oldest first. */
  stop(): { at: Date; ms: number }[];
}

export function watchStalls(port: number): StallWatch {
  const stalls: { at: Date; ms: number }[] = [];
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const probe = () => {
    const start = Date.now();
    let answered = false;
    // Once per probe: a request can fail after its answer began (both "end" and "error").
    const done = () => {
      if (answered) return;
      answered = true;
      const ms = Date.now() - start;
      if (ms >= STALL_MS) stalls.push({ at: new Date(start), ms });
      if (!stopped) timer = setTimeout(probe, EVERY_MS);
    };
    // Any answer will do (this one is an authorization error): it is the delay that counts.
    const req = request({ host: "127.0.0.1", port, path: "/devstoreaccount1?comp=list" }, (res) => {
      res.resume();
      res.on("end", done);
    });
    req.on("error", done);
    req.end();
  };
  timer = setTimeout(probe, EVERY_MS);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      return stalls;
    },
  };
}
