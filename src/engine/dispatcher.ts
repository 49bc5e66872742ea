import {
  type Command,
  completedInputs,
  type Json,
  mapItem,
  parentStates,
  type RunState,
  taskName,
  taskSpec,
} from "../core/index.js";
import { MAX_MESSAGE_BYTES, PROTOCOL_VERSION, type TaskMessage } from "../protocol/messages.js";
import { type Signals, SignalsSchema } from "../protocol/signals.js";
import { packTexts } from "../protocol/taskPack.js";
import { readJsonBlob, writeJsonBlob } from "../storage/jsonBlob.js";
import type { Layout } from "../storage/layout.js";
import type { Storage } from "../storage/ports.js";

/**
 * Turns the reducer's commands into messages: task messages onto their queues (Storage Queue
 * or Service Bus), kill requests into the workflow's signals blob. Parent outputs travel inline
 * while the message stays under 48 KiB; otherwise they go to one inputs blob the worker reads
 * in a single request (a 10,000-parent fan-in never overflows a message). Tasks sent together
 * to one queue travel in packs of `packSize(queue)` (protocol/taskPack.ts).
 */
export class Dispatcher {
  constructor(
    private readonly storage: Storage,
    private readonly names: Layout,
    private readonly packSize: (queue: string) => Promise<number> = async () => 1,
  ) {}

  /** Sends every dispatch in `commands`; resolves when all are on their queues. */
  async dispatch(run: RunState, commands: readonly Command[]): Promise<number> {
    const batches = new Map<
      string,
      { queue: string; target: string; delayS: number; texts: string[] }
    >();
    const work: Array<Promise<void>> = [];
    for (const c of commands) {
      if (c.kind !== "dispatch") continue;
      const spec = taskSpec(run, c.task);
      const target = this.names.taskQueue(spec.queue);
      const delayS = Math.ceil(c.delayMs / 1000);
      const key = `${target}\u0000${delayS}`;
      const batch = batches.get(key) ?? { queue: spec.queue, target, delayS, texts: [] };
      batches.set(key, batch);
      const texts = batch.texts;
      work.push(this.message(run, c.task, c.attempt).then((text) => void texts.push(text)));
    }
    await Promise.all(work);
    await Promise.all(
      // The task sink creates a storage queue on its first send (QueueTaskSink caches that).
      [...batches.values()].map(async (b) => {
        const texts = packTexts(b.texts, await this.packSize(b.queue));
        await this.storage.tasks.send(b.target, texts, b.delayS > 0 ? { delayS: b.delayS } : {});
      }),
    );
    return work.length;
  }

  /** Publishes cancellation and zombie kills for workers to pick up. */
  async signal(run: RunState, commands: readonly Command[]): Promise<void> {
    const kills = commands.filter((c) => c.kind === "kill");
    const cancelled = run.wf.status === "cancelled";
    const reopened = commands.some((c) => c.kind === "reopen");
    if (kills.length === 0 && !cancelled && !reopened) return;
    const path = this.names.signalsBlob(run.id);
    const prev: Signals = (await readJsonBlob(this.storage.blobs, path, SignalsSchema)) ?? {
      cancelled: false,
      kill: [],
    };
    const kill = cancelled
      ? []
      : [
          ...new Set([...prev.kill, ...kills.map((k) => `${taskName(run, k.task)}#${k.attempt}`)]),
        ].slice(-1000);
    // A rerun reopens a cancelled workflow: its cancellation is withdrawn (the reset tasks'
    // old attempts are in `kill`, and their first dispatch waits out workers' cached signals).
    const { reason: _, ...open } = prev;
    const next: Signals = cancelled
      ? { cancelled, ...(run.wf.reason ? { reason: run.wf.reason } : {}), kill }
      : { ...open, cancelled: false, kill };
    await writeJsonBlob(this.storage.blobs, path, next);
  }

  private async message(run: RunState, task: number, attempt: number): Promise<string> {
    const spec = taskSpec(run, task);
    const name = taskName(run, task);
    const inputs = Object.fromEntries(completedInputs(run, task)) as Record<string, Json>;
    const item = mapItem(run, task);
    let msg: TaskMessage = {
      v: PROTOCOL_VERSION,
      workflow_id: run.id,
      task: name,
      attempt,
      command: spec.command,
      env: spec.env,
      timeout_s: spec.timeoutS,
      inputs,
      ...(run.def.waitAll[run.taskOf(task)]
        ? { parent_states: Object.fromEntries(parentStates(run, task)) }
        : {}),
      ...(Object.keys(run.def.params).length > 0 ? { params: run.def.params } : {}),
      ...(item ? { map_index: item.index, map_item: item.item } : {}),
      completion_queue: this.names.completionQueue,
      signals_blob: this.names.signalsBlob(run.id),
    };
    const fits = (m: TaskMessage) => Buffer.byteLength(JSON.stringify(m)) <= MAX_MESSAGE_BYTES;
    // What does not fit moves to a blob the worker reads in one request, inputs first.
    if (!fits(msg)) {
      const path = this.names.inputsBlob(run.id, name, attempt);
      await writeJsonBlob(this.storage.blobs, path, inputs);
      const { inputs: _, ...rest } = msg;
      msg = { ...rest, inputs_ref: path };
    }
    if (!fits(msg) && msg.parent_states) {
      const path = this.names.parentStatesBlob(run.id, name, attempt);
      await writeJsonBlob(this.storage.blobs, path, msg.parent_states);
      const { parent_states: _, ...rest } = msg;
      msg = { ...rest, parent_states_ref: path };
    }
    if (!fits(msg) && item) {
      const path = this.names.mapItemBlob(run.id, name, attempt);
      await writeJsonBlob(this.storage.blobs, path, item.item);
      const { map_item: _, ...rest } = msg;
      msg = { ...rest, map_item_ref: path };
    }
    if (!fits(msg)) {
      // Submit rejects such definitions (core/messageSize.ts); this guards older ones.
      throw new Error(
        `task ${name}: message is over ${MAX_MESSAGE_BYTES} bytes even without inputs (command or env too large)`,
      );
    }
    return JSON.stringify(msg);
  }
}
