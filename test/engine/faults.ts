import type { Storage } from "../../src/storage/ports.js";

/**
 * Wraps a storage so that chosen operations fail on demand, the way a crash or an outage would
 * interrupt them: `arm("blobs.append")` makes the next call throw before it takes effect.
 */
export class Faults {
  private readonly armed = new Map<string, number>();
  private readonly errors = new Map<string, () => Error>();
  readonly calls = new Map<string, number>();

  /** The next `times` calls of `op` fail, with `error` (a generic injected fault by default). */
  arm(op: string, times = 1, error?: () => Error): void {
    this.armed.set(op, (this.armed.get(op) ?? 0) + times);
    if (error) this.errors.set(op, error);
  }

  wrap(storage: Storage): Storage {
    const wrapPort = <T extends object>(name: string, port: T): T =>
      new Proxy(port, {
        get: (target, prop, receiver) => {
          const value = Reflect.get(target, prop, receiver);
          if (typeof value !== "function") return value;
          const op = `${name}.${String(prop)}`;
          return (...args: unknown[]) => {
            this.calls.set(op, (this.calls.get(op) ?? 0) + 1);
            const left = this.armed.get(op) ?? 0;
            if (left > 0) {
              this.armed.set(op, left - 1);
              return Promise.reject(this.errors.get(op)?.() ?? new Error(`injected fault: ${op}`));
            }
            return value.apply(target, args);
          };
        },
      });
    return {
      blobs: wrapPort("blobs", storage.blobs),
      queues: wrapPort("queues", storage.queues),
      tables: wrapPort("tables", storage.tables),
      tasks: wrapPort("tasks", storage.tasks),
    };
  }
}
