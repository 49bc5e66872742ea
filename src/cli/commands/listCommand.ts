import { type Command, Option } from "commander";
import type { WorkflowStatus } from "../../client/index.js";
import { WORKFLOW_STATES, type WorkflowState } from "../../core/index.js";
import type { EndpointFlags } from "../endpoint.js";
import { ExitCode } from "../exitCode.js";
import { positiveInt } from "../optionParsers.js";
import { paintFor } from "../render/paint.js";
import { workflowTable } from "../render/workflowTable.js";
import { clientCommand, printJson, runWithClient } from "./clientCommand.js";

const MAX_PAGE = 1000;

interface ListFlags extends EndpointFlags {
  readonly status?: WorkflowState;
  readonly limit: number;
  readonly all: boolean;
  readonly json: boolean;
}

/** `dagq list`: workflows, newest first; `--json` gives `{ workflows, next }`. */
export function listCommand(): Command {
  return clientCommand("list", "list workflows, newest first")
    .addOption(
      new Option("--status <state>", "only workflows in this state").choices(WORKFLOW_STATES),
    )
    .option("-n, --limit <n>", "at most this many", positiveInt, 50)
    .option("--all", "every workflow (pages through them all)", false)
    .option("--json", "print { workflows, next } as JSON on stdout", false)
    .action(async (flags: ListFlags) => {
      await runWithClient(flags, async (client) => {
        const workflows: WorkflowStatus[] = [];
        const want = flags.all ? Number.POSITIVE_INFINITY : flags.limit;
        let next: string | null = null;
        do {
          const page = await client.list({
            ...(flags.status ? { status: flags.status } : {}),
            limit: Math.min(MAX_PAGE, want - workflows.length),
            ...(next ? { cursor: next } : {}),
          });
          workflows.push(...page.workflows);
          next = page.next;
        } while (next !== null && workflows.length < want);
        if (flags.json) {
          printJson({ workflows, next });
          return ExitCode.ok;
        }
        if (workflows.length === 0) {
          process.stdout.write(`no workflows${flags.status ? ` ${flags.status}` : ""}\n`);
          return ExitCode.ok;
        }
        process.stdout.write(workflowTable(workflows, Date.now(), paintFor(process.stdout)));
        if (next !== null) process.stdout.write("… more workflows: raise --limit, or --all\n");
        return ExitCode.ok;
      });
    });
}
