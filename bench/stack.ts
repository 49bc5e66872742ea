/**
 * dagq as a user runs it on one machine: Azurite on loopback, a `dagq host` process
 * and `dagq worker` processes, all talking to Azurite through the counting proxy, each role on
 * ports of its own. The bench submits over HTTP like any client; it watches progress over a
 * direct connection to Azurite that the proxy does not count.
 *
 * A `direct` stack leaves the proxy out of the host's and workers' path. The proxy is not
 * free: on 2 cores it took 1.7–2.1 ms of CPU per task of a fan-out and cost the fan-out about
 * a sixth of its tasks/s (93–103 against 110–122 direct, interleaved). Throughput is timed on
 * a direct stack; requests are counted on a counted one.
 */
import { randomBytes } from "node:crypto";
import { type Azurite, startAzurite } from "../src/azure/azurite.js";
import { type ConnectedStorage, connectStorage } from "../src/azure/connect.js";
import { DagqClient } from "../src/client/index.js";
import { createEngine, type Engine } from "../src/engine/context.js";
import { layout } from "../src/storage/layout.js";
import { type CountingProxy, startCountingProxy } from "./countingProxy.js";
import { type Host, startHost, startWorker, type Worker } from "./dagqProcess.js";
import { childrenMatching, cpuByGroup } from "./processCpu.js";

export interface StackOptions {
  readonly workers: number;
  readonly concurrency: number;
  readonly log: (line: string) => void;
  /** The host and workers talk to Azurite directly: none of their requests is counted. */
  readonly direct?: boolean;
}

export interface Stack {
  readonly prefix: string;
  readonly azurite: Azurite;
  readonly proxy: CountingProxy;
  readonly host: Host;
  readonly client: DagqClient;
  /** Storage through the proxy as the role `bench` (calibration). */
  readonly counted: ConnectedStorage;
  /** An engine over a direct connection: reads the bench makes without being counted. */
  readonly watch: Engine;
  readonly workers: Worker[];
  /** CPU seconds so far of Azurite, the host, the workers and the bench (Linux; else zeros). */
  cpu(): Record<string, number>;
  /** Starts `n` more workers (role `worker`). */
  addWorkers(n: number): Promise<void>;
  /** A worker with a role of its own (its first request shows when it was ready). */
  startProbe(role: string): Promise<Worker>;
  stop(): Promise<void>;
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const prefix = `b${randomBytes(4).toString("hex")}`;
  const names = layout(prefix);
  const azurite = await startAzurite();
  const azuritePids = childrenMatching(process.pid, "azurite");
  const proxy = startCountingProxy(azurite, prefix, (m) => opts.log(`proxy: ${m}`));
  const stoppers: Array<() => Promise<unknown>> = [() => azurite.stop(), () => proxy.close()];
  const stop = async () => {
    for (const s of stoppers.splice(0).reverse()) await s().catch(() => {});
  };
  try {
    const [hostCs, workerCs, benchCs] = [
      opts.direct ? azurite.connectionString : await proxy.listen("host"),
      opts.direct ? azurite.connectionString : await proxy.listen("worker"),
      await proxy.listen("bench"),
    ];
    const key = randomBytes(18).toString("base64url");
    const host = await startHost({ connectionString: hostCs, prefix, key });
    stoppers.push(() => host.stop());
    const workers: Worker[] = [];
    stoppers.push(() => Promise.all(workers.map((w) => w.stop())));
    const direct = connectStorage({
      connectionString: azurite.connectionString,
      container: names.container,
    });
    const counted = connectStorage({ connectionString: benchCs, container: names.container });
    stoppers.push(
      () => direct.close(),
      () => counted.close(),
    );
    const stack: Stack = {
      prefix,
      azurite,
      proxy,
      host,
      client: new DagqClient({ url: host.url, key }),
      counted,
      watch: createEngine(direct, { prefix }),
      workers,
      cpu: () =>
        cpuByGroup({
          azurite: azuritePids,
          host: host.child.pid === undefined ? [] : [host.child.pid],
          workers: workers.flatMap((w) => (w.child.pid === undefined ? [] : [w.child.pid])),
        }),
      async addWorkers(n) {
        const started = await Promise.all(
          Array.from({ length: n }, () =>
            startWorker({ connectionString: workerCs, prefix, concurrency: opts.concurrency }),
          ),
        );
        workers.push(...started);
        opts.log(`stack ${prefix}: ${workers.length} workers × ${opts.concurrency}`);
      },
      async startProbe(role) {
        const cs = await proxy.listen(role);
        const w = await startWorker({ connectionString: cs, prefix, concurrency: 1 });
        stoppers.push(() => w.stop());
        return w;
      },
      stop,
    };
    if (opts.workers > 0) await stack.addWorkers(opts.workers);
    return stack;
  } catch (e) {
    await stop();
    throw e;
  }
}
