import { createHash } from "node:crypto";
import { isServiceBusTarget } from "./serviceBusTarget.js";

export const SHARDS = 16;

/**
 * Every storage name of one deployment, derived from its prefix, so that two deployments on one
 * storage account never see each other's workflows, completions or tasks.
 */
export interface Layout {
  readonly prefix: string;
  readonly container: string;
  readonly indexTable: string;
  readonly inboxTable: string;
  readonly completionQueue: string;
  readonly controlQueue: string;
  /** The storage queue behind a logical queue name; `sb://` targets pass through. */
  taskQueue(queue: string): string;
  /** Where the Functions host (and ours) moves a message after too many failed attempts. */
  poisonQueue(queue: string): string;
  definitionBlob(id: string): string;
  headBlob(id: string): string;
  journalBlob(id: string, gen: number): string;
  signalsBlob(id: string): string;
  outputBlob(id: string, task: string, attempt: number): string;
  inputsBlob(id: string, task: string, attempt: number): string;
  parentStatesBlob(id: string, task: string, attempt: number): string;
  /** One attempt's log (stdout and stderr), an append blob; removed with the workflow. */
  logBlob(id: string, task: string, attempt: number): string;
  /** The table of live workers, a row each with its heartbeat. */
  readonly workersTable: string;
  mapItemBlob(id: string, task: string, attempt: number): string;
  workflowPrefix(id: string): string;
}

/** Where a queue's messages go after too many failed attempts: the Functions host's name for it. */
export function poisonQueueOf(queue: string): string {
  return `${queue}-poison`;
}

export function isPoisonQueue(queue: string): boolean {
  return queue.endsWith("-poison");
}

/** Lower-case letters and digits, at most 16: queue names are at most 63 characters. */
export const PREFIX_PATTERN = /^[a-z][a-z0-9]{0,15}$/;

export function layout(prefix: string): Layout {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new Error(
      `deployment prefix "${prefix}" must be 1-16 lower-case letters/digits, starting with a letter`,
    );
  }
  const wf = (id: string) => `wf/${id}/`;
  // Task names may contain `/`; blob paths keep it (virtual folders), queue names never see it.
  return {
    prefix,
    container: `${prefix}-workflows`,
    indexTable: `${prefix}workflows`,
    inboxTable: `${prefix}inbox`,
    completionQueue: `${prefix}-completions`,
    controlQueue: `${prefix}-control`,
    taskQueue: (queue) => (isServiceBusTarget(queue) ? queue : `${prefix}-tasks-${queue}`),
    poisonQueue: poisonQueueOf,
    definitionBlob: (id) => `${wf(id)}definition.json.gz`,
    headBlob: (id) => `${wf(id)}head`,
    journalBlob: (id, gen) => `${wf(id)}journal-${gen}`,
    signalsBlob: (id) => `${wf(id)}signals.json`,
    outputBlob: (id, task, attempt) => `${wf(id)}outputs/${task}/${attempt}.json`,
    inputsBlob: (id, task, attempt) => `${wf(id)}inputs/${task}/${attempt}.json`,
    parentStatesBlob: (id, task, attempt) => `${wf(id)}inputs/${task}/${attempt}.states.json`,
    logBlob: (id, task, attempt) => `${wf(id)}logs/${task}/${attempt}.log`,
    workersTable: `${prefix}workers`,
    mapItemBlob: (id, task, attempt) => `${wf(id)}inputs/${task}/${attempt}.item.json`,
    workflowPrefix: wf,
  };
}

/** The index shard of a workflow: stable, uniform, and independent of the id's shape. */
export function shardOf(id: string): string {
  const n = createHash("sha256").update(id).digest().readUInt16BE(0) % SHARDS;
  return `s${n.toString().padStart(2, "0")}`;
}

export function allShards(): string[] {
  return Array.from({ length: SHARDS }, (_, n) => `s${n.toString().padStart(2, "0")}`);
}
