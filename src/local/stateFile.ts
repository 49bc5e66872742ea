import { readFileSync, writeFileSync } from "node:fs";
import { z } from "zod";
import {
  type Changes,
  type CompiledWorkflow,
  DagqError,
  ErrorCode,
  jsonValue,
  LIMITS,
  type RunState,
  snapshot,
  WORKFLOW_STATES,
} from "../core/index.js";
import { definitionHash } from "../definitionHash.js";

/**
 * The state a local run saves (`run-local --save-state FILE`) and resumes from (`--resume`):
 * the run's id, a fingerprint of its definition, and its snapshot (core/changes.ts), the same
 * form the serverless path keeps in its head blob. A file is user input: it is checked here.
 */
const Int = z.int();
const Offsets = z.array(z.number());
const ChangesSchema = z.strictObject({
  v: z.literal(1),
  wf: z.strictObject({
    status: z.enum(WORKFLOW_STATES),
    createdAt: z.number(),
    startedAt: z.number(),
    finishedAt: z.number(),
    reason: z.string().nullable(),
  }),
  i: z.array(Int.min(0)),
  s: z.array(Int.min(0).max(7)),
  a: z.array(Int.min(1)),
  d: Offsets,
  st: Offsets,
  ft: Offsets,
  rt: Offsets,
  o: z.array(z.tuple([Int, jsonValue(LIMITS.maxOutputDepth)])),
  r: z.array(z.tuple([Int, z.string()])),
  b: z.array(z.tuple([Int, Int])).optional(),
  x: z
    .array(
      z.tuple([
        Int.min(0),
        Int.min(0),
        z.array(jsonValue(LIMITS.maxOutputDepth)).min(1).max(LIMITS.maxMapItems),
      ]),
    )
    .optional(),
});

const StateFileSchema = z.strictObject({
  v: z.literal(1),
  id: z.string().min(1).max(200),
  definition: z.string().regex(/^[0-9a-f]{64}$/),
  state: ChangesSchema,
});

export interface SavedState {
  readonly id: string;
  readonly snapshot: Changes;
}

export function writeStateFile(path: string, run: RunState): void {
  const saved = {
    v: 1,
    id: run.id,
    definition: definitionHash(run.def.definition),
    state: snapshot(run),
  };
  writeFileSync(path, `${JSON.stringify(saved)}\n`);
}

/** The saved run, checked against the definition it is resumed with. Throws DagqError. */
export function readStateFile(path: string, def: CompiledWorkflow): SavedState {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(e);
    throw new DagqError(ErrorCode.INVALID_STATE, `${path}: cannot read a saved state: ${why}`);
  }
  const parsed = StateFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new DagqError(
      ErrorCode.INVALID_STATE,
      `${path}: not a state saved by dagq run-local: ${z.prettifyError(parsed.error)}`,
    );
  if (parsed.data.definition !== definitionHash(def.definition))
    throw new DagqError(
      ErrorCode.INVALID_STATE,
      `${path} was saved for another definition: the file (or a --param) changed since; resume with the definition it ran, or run it anew`,
    );
  return { id: parsed.data.id, snapshot: parsed.data.state as Changes };
}
