/**
 * Hostile requests on every route of a real local host over Azurite: random and mutated
 * definitions, ids, task names, queries, headers and bodies (deep nesting, huge strings,
 * `__proto__` keys, control characters, invalid UTF-8, YAML alias bombs, chunked bodies over
 * the limit). No answer may be a 5xx (but health's documented 503), none may hang, the host
 * must keep serving, and the bystander workflow, which no case aims at, must be untouched,
 * its dispatched task's message still queued once every purge job the cases started is done.
 */
import { QueueServiceClient } from "@azure/storage-queue";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../host/azuriteFixture.js";
import { azuriteConnectionString } from "../support/azurite.js";
import {
  BYSTANDER,
  BYSTANDER_TASKS,
  everything,
  type FuzzHost,
  getJson,
  KEY,
  MAX_REQUEST_BYTES,
  startFuzzHost,
  submit,
} from "./fuzzHost.js";
import { deepObjectText } from "./hostile.js";
import { type FuzzRequest, requestArb } from "./requests.js";
import { describeRequest, send } from "./sendRequest.js";

/** Cases per run: 10–20 s on an idle machine. */
const HTTP_CASES = 300;
const HANG_MS = 15_000;

const post = (path: string, contentType: string, body: FuzzRequest["body"]): FuzzRequest => ({
  method: "POST",
  path,
  query: [],
  headers: { "x-functions-key": KEY, "content-type": contentType },
  body,
});
const deepYaml = `${"[".repeat(5_000)}${"]".repeat(5_000)}`;

/**
 * Cases every run tries first: requests found mishandled before (a purge that drained running
 * workflows' messages, a chunked body over the limit, YAML deep enough to abort the host the
 * second time), then the property's random ones.
 */
const EXAMPLES: FuzzRequest[] = [
  post("workflows", "application/yaml", deepYaml),
  post("workflows", "application/yaml", deepYaml),
  post("workflows", "application/json", deepObjectText(5_000)),
  post("workflows", "application/json", deepObjectText(5_000)),
  post("purge", "application/json", JSON.stringify({ scope: "terminal", drain_queues: true })),
  post("workflows", "application/json", { streamBytes: MAX_REQUEST_BYTES * 2 }),
];

let fuzz: FuzzHost;
beforeAll(async () => {
  fuzz = await startFuzzHost("h");
});
afterAll(() => fuzz?.stop());

async function bystanderMessageQueued(id: string): Promise<boolean> {
  const queue = QueueServiceClient.fromConnectionString(azuriteConnectionString()).getQueueClient(
    `${fuzz.prefix}-tasks-default`,
  );
  const { peekedMessageItems } = await queue.peekMessages({ numberOfMessages: 32 });
  return peekedMessageItems.some((m) => m.messageText.includes(`"workflow_id":"${id}"`));
}

describe("the HTTP API under hostile requests", () => {
  it("answers every one without a 5xx or a hang, and changes no other workflow", async () => {
    const bystander = await submit(fuzz.api, BYSTANDER);
    const before = await everything(fuzz.api, bystander, BYSTANDER_TASKS);
    expect(await bystanderMessageQueued(bystander)).toBe(true);
    const victim = await submit(fuzz.api, {
      name: "victim",
      tasks: [
        { name: "v/00", command: "true" },
        { name: "v/01", command: "true", depends_on: ["v/00"] },
      ],
    });
    let cases = 0;
    const statuses = new Map<number, number>();
    const purgeJobs: string[] = [];
    await fc.assert(
      fc.asyncProperty(requestArb(victim), async (req: FuzzRequest) => {
        cases++;
        let answer: { status: number; text: string };
        try {
          answer = await send(fuzz.api, req, HANG_MS);
        } catch (e) {
          throw new Error(
            `no answer (${String(e)}; host ${fuzz.exited() ?? "running"}) to ${describeRequest(req)}\nhost: ${fuzz.log().slice(-3000)}`,
          );
        }
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (req.path === "purge" && answer.status === 202)
          purgeJobs.push((JSON.parse(answer.text) as { job: string }).job);
        const allowed = answer.status < 500 || (answer.status === 503 && req.path === "health");
        if (!allowed)
          throw new Error(
            `${answer.status} ${answer.text.slice(0, 300)} to ${describeRequest(req)}\nhost: ${fuzz.log().slice(-3000)}`,
          );
      }),
      { numRuns: HTTP_CASES, endOnFailure: true, examples: EXAMPLES.map((e) => [e]) },
    );
    expect(cases).toBe(HTTP_CASES);
    // The cases must reach the handlers, not stop at the key check or the body's type.
    // (About 1 request in 25 is a valid submission: 8–15 of them per run.)
    expect(statuses.get(201) ?? 0).toBeGreaterThanOrEqual(5);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(10);
    expect((await getJson(`${fuzz.api}/summary`)).status).toBe(200);
    for (const job of purgeJobs)
      await waitFor(
        `purge job ${job}`,
        async () => ((await getJson(`${fuzz.api}/purge/${job}`)).body as { done: boolean }).done,
        30_000,
        200,
      );
    expect(fuzz.exited()).toBeNull();
    expect(await everything(fuzz.api, bystander, BYSTANDER_TASKS)).toEqual(before);
    expect(
      await bystanderMessageQueued(bystander),
      "the bystander's task message is gone: a purge drained a running workflow's queue",
    ).toBe(true);
  }, 120_000);
});
