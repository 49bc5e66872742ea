import type { Command } from "commander";
import type { DagqClient, WorkflowStatus } from "../../client/index.js";
import { isTerminalWorkflow } from "../../core/index.js";
import { ClientExitCode } from "../clientFailure.js";
import type { EndpointFlags } from "../endpoint.js";
import { ExitCode } from "../exitCode.js";
import { interruption } from "../interruption.js";
import { positiveSeconds } from "../optionParsers.js";
import { finishedCount } from "../render/countsText.js";
import { paintFor } from "../render/paint.js";
import { RateMeter } from "../render/rateMeter.js";
import { statusPanel } from "../render/statusPanel.js";
import { taskTable } from "../render/taskTable.js";
import { createWatchDisplay } from "../render/watchDisplay.js";
import { clientCommand, printJson, runWithClient } from "./clientCommand.js";

/** On a terminal, DAGs at least this deep get the per-layer view without asking. */
const AUTO_LAYERS = 10;
const FAILED_LISTED = 10;

export interface WatchOptions {
  /** Undefined: automatic (a terminal and a deep DAG). */
  readonly layers?: boolean;
  /** Seconds between polls. */
  readonly interval: number;
  readonly json: boolean;
  /** Whole reasons, every line, in the final status. */
  readonly full?: boolean;
}

export function watchCommand(): Command {
  return clientCommand(
    "watch",
    "follow a workflow until it ends (Ctrl-C stops watching, not the workflow)",
  )
    .argument("<id>", "workflow id")
    .option(
      "--layers",
      `show counts per layer (automatic on a terminal from ${AUTO_LAYERS} layers)`,
    )
    .option("--no-layers", "never show counts per layer")
    .option("-i, --interval <s>", "seconds between polls", positiveSeconds, 1)
    .option("--json", "print the final status as JSON on stdout", false)
    .option("--full", "whole reasons (every line) in the final status", false)
    .action(async (id: string, flags: WatchOptions & EndpointFlags) => {
      await runWithClient(flags, (client) => watchWorkflow(client, id, flags));
    });
}

/**
 * Polls the status (the cheap index read; the state itself while the layer view is on) and
 * draws progress on stderr until the workflow ends; then the final status on stdout. Exits 0
 * completed, 1 failed, 3 cancelled, 130 on Ctrl-C, which leaves the workflow running.
 */
export async function watchWorkflow(
  client: DagqClient,
  id: string,
  opts: WatchOptions,
): Promise<number> {
  const stderr = process.stderr;
  const display = createWatchDisplay(stderr, paintFor(stderr));
  const meter = new RateMeter();
  const ctrlC = interruption();
  const { signal } = ctrlC;
  try {
    let s = await client.status(id, { detail: true, signal });
    const deep = (s.layers?.length ?? 0) >= AUTO_LAYERS;
    const layers = opts.layers ?? (stderr.isTTY === true && deep);
    for (;;) {
      if (isTerminalWorkflow(s.status) && s.layers === undefined) {
        // The index row said it ended: read the state once for the exact final counts.
        s = await client.status(id, { detail: true, signal });
      }
      const now = Date.now();
      const rate =
        s.status === "pending"
          ? { perSecond: null, etaMs: null }
          : meter.sample(finishedCount(s.counts), s.total, now);
      display.update(s, rate, layers, now);
      if (isTerminalWorkflow(s.status)) break;
      await ctrlC.sleep(opts.interval * 1000);
      if (signal.aborted) break;
      s = await client.status(id, { detail: layers, signal });
    }
    display.stop();
    if (!signal.aborted) return await finish(client, s, opts.json, opts.full === true);
  } catch (e) {
    if (!signal.aborted) throw e;
  } finally {
    display.stop();
    ctrlC.dispose();
  }
  stderr.write(`dagq: stopped watching ${id}; it keeps running (dagq cancel ${id} stops it)\n`);
  return ExitCode.interrupted;
}

async function finish(
  client: DagqClient,
  s: WorkflowStatus,
  json: boolean,
  full: boolean,
): Promise<number> {
  if (json) {
    printJson(s);
  } else {
    const paint = paintFor(process.stdout);
    let out = statusPanel(s, Date.now(), paint, { full });
    if (s.status === "failed") {
      const failed = await client.tasks(s.id, { status: ["failed"], limit: FAILED_LISTED });
      if (failed.tasks.length > 0)
        out += `\n${taskTable(failed.tasks, Date.now(), paint, { full })}`;
      if (failed.next !== null) out += `… more: dagq tasks ${s.id} --status failed\n`;
    }
    process.stdout.write(out);
  }
  switch (s.status) {
    case "completed":
      return ExitCode.ok;
    case "cancelled":
      return ClientExitCode.cancelled;
    default:
      return ExitCode.workflowFailed;
  }
}
