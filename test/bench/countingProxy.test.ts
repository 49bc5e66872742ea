import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type CountingProxy, startCountingProxy, type Tally } from "../../bench/countingProxy.js";
import { connectStorage } from "../../src/azure/connect.js";
import { azuriteConnectionString } from "../support/azurite.js";
import { uniquePrefix } from "../support/testHost.js";

/** The emulator's ports, from the run's connection string. */
function ports(cs: string) {
  const port = (name: string) =>
    Number(new RegExp(`${name}Endpoint=http://[^:]+:(\\d+)`).exec(cs)![1]);
  return { blobPort: port("Blob"), queuePort: port("Queue"), tablePort: port("Table") };
}

/** `role service name resource` → requests, for comparing with what the test did. */
function counts(tallies: readonly Tally[]): Record<string, number> {
  return Object.fromEntries(
    tallies.map((t) => [
      `${t.key.role} ${t.key.service} ${t.key.name} ${t.key.resource}`,
      t.requests,
    ]),
  );
}

let proxy: CountingProxy | undefined;
const servers: Server[] = [];
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

describe("the counting proxy", () => {
  it("forwards every port operation to Azurite and counts one request per operation, by role", async () => {
    const prefix = uniquePrefix("p");
    proxy = startCountingProxy(ports(azuriteConnectionString()), prefix);
    const [hostCs, workerCs] = [await proxy.listen("host"), await proxy.listen("worker")];
    const container = `${prefix}-workflows`;
    const host = connectStorage({ connectionString: hostCs, container });
    const worker = connectStorage({ connectionString: workerCs, container });
    const completions = `${prefix}-completions`;
    const index = `${prefix}workflows`;

    await host.queues.ensure(completions);
    await worker.queues.send(completions, "one");
    await worker.queues.send(completions, "two");
    const got = await host.queues.receive(completions, 32, 30);
    expect(got.map((m) => m.text).sort()).toEqual(["one", "two"]);
    expect(await host.queues.receive(completions, 32, 30)).toEqual([]);
    for (const m of got) await host.queues.delete(completions, m);

    await host.blobs.ensure();
    await host.blobs.write("wf/x1/head", Buffer.from("state"));
    expect(Buffer.from((await host.blobs.read("wf/x1/head"))!.data).toString()).toBe("state");
    expect(await host.blobs.read("wf/x1/signals.json")).toBeNull();
    const lease = await host.blobs.acquireLease("wf/x1/head", 15);
    expect(lease).not.toBeNull();
    await host.blobs.releaseLease("wf/x1/head", lease!);

    await host.tables.ensure(index);
    await host.tables.upsert(index, { partitionKey: "s01", rowKey: "x1", n: 1 });
    expect(await host.tables.get(index, "s01", "x1")).toMatchObject({ n: 1 });
    await host.tables.upsertBatch(index, [
      { partitionKey: "s02", rowKey: "a", n: 2 },
      { partitionKey: "s02", rowKey: "b", n: 3 },
    ]);

    expect(counts(proxy.snapshot())).toEqual({
      "host queue create queue completions": 1,
      "worker queue send completions": 2,
      "host queue receive completions": 1,
      "host queue receive (empty) completions": 1,
      "host queue delete completions": 2,
      "host blob create container (container)": 1,
      "host blob put head": 1,
      "host blob read head": 1,
      "host blob read → 404 signals": 1,
      "host blob lease acquire head": 1,
      "host blob lease release head": 1,
      "host table create table (account)": 1,
      "host table upsert workflows": 1,
      "host table get workflows": 1,
      "host table batch workflows": 1,
    });
    const receive = proxy.snapshot().find((t) => t.key.name === "receive")!;
    expect(receive.messages).toBe(2);
    expect(proxy.firstRequestAt("worker")).toBeGreaterThan(proxy.firstRequestAt("host")!);
    expect(proxy.firstRequestAt("nobody")).toBeNull();
    // A full run shares one Azurite, whose queue GC can stall every request for tens of seconds.
  }, 120_000);

  it("sends a request again when the emulator closed the connection before answering", async () => {
    let attempts = 0;
    const flaky = createServer((req, res) => {
      attempts++;
      if (attempts === 1) return req.socket.destroy(); // as a keep-alive socket closing under us
      req.resume();
      req.on("end", () => res.end("<QueueMessagesList></QueueMessagesList>"));
    });
    servers.push(flaky);
    await new Promise<void>((r) => flaky.listen(0, "127.0.0.1", r));
    const port = (flaky.address() as AddressInfo).port;
    proxy = startCountingProxy({ blobPort: port, queuePort: port, tablePort: port }, "dq");
    const cs = await proxy.listen("host");
    const queueUrl = /QueueEndpoint=([^;]+)/.exec(cs)![1]!;

    const res = await fetch(`${queueUrl}/dq-completions/messages`, { method: "POST", body: "x" });

    expect(res.status).toBe(200);
    expect(attempts).toBe(2);
    expect(counts(proxy.snapshot())).toEqual({ "host queue send completions": 1 });
  });

  it("counts the messages a receive returned when their tags are split across chunks", async () => {
    const chunks = [
      "<QueueMessagesList><QueueMessage>a</QueueMessage><QueueMe",
      "ssage>b</QueueMessage><QueueMessage>",
      "c</QueueMessage></QueueMessagesList>",
    ];
    const slow = createServer(async (req, res) => {
      req.resume();
      res.writeHead(200);
      for (const c of chunks) {
        res.write(c);
        await new Promise((r) => setTimeout(r, 30));
      }
      res.end();
    });
    servers.push(slow);
    await new Promise<void>((r) => slow.listen(0, "127.0.0.1", r));
    const port = (slow.address() as AddressInfo).port;
    proxy = startCountingProxy({ blobPort: port, queuePort: port, tablePort: port }, "dq");
    const queueUrl = /QueueEndpoint=([^;]+)/.exec(await proxy.listen("worker"))![1]!;

    const res = await fetch(`${queueUrl}/dq-tasks-default/messages?numofmessages=32`);

    expect(await res.text()).toBe(chunks.join(""));
    const [tally] = proxy.snapshot();
    expect(tally).toMatchObject({
      key: { name: "receive", resource: "tasks-default" },
      messages: 3,
    });
  });
});
