import type { Command } from "commander";
import type { DagqClient, DoctorReport } from "../../client/index.js";
import { assertNever } from "../../core/index.js";
import { clientFailure } from "../clientFailure.js";
import type { EndpointFlags } from "../endpoint.js";
import { doctorChecklist } from "../render/doctorChecklist.js";
import { paintFor } from "../render/paint.js";
import { clientCommand, printJson, runWithClient } from "./clientCommand.js";

/**
 * `dagq doctor`: the health endpoint as a checklist. The CLI adds a first check of its own,
 * `api` (reachable, key accepted), so that "cannot reach it" or "wrong key" is a failed check
 * in the same report rather than a different kind of output. Exit 0 ok, 1 warn, 2 fail.
 */
export function doctorCommand(): Command {
  return clientCommand("doctor", "check dagq's health: storage, queues, stuck workflows")
    .option("--json", "print the report as JSON on stdout", false)
    .action(async (flags: EndpointFlags & { readonly json: boolean }) => {
      await runWithClient(flags, async (client) => {
        const report = await diagnose(client);
        if (flags.json) printJson(report);
        else process.stdout.write(doctorChecklist(report, client.url, paintFor(process.stdout)));
        switch (report.verdict) {
          case "ok":
            return 0;
          case "warn":
            return 1;
          case "fail":
            return 2;
          default:
            return assertNever(report.verdict, "verdict");
        }
      });
    });
}

async function diagnose(client: DagqClient): Promise<DoctorReport> {
  const t0 = performance.now();
  try {
    const report = await client.health();
    const ms = Math.round(performance.now() - t0);
    const api = { name: "api", verdict: "ok", detail: `answered in ${ms} ms` } as const;
    return { ...report, checks: [api, ...report.checks] };
  } catch (e) {
    const failure = clientFailure(e, client.url);
    if (!failure) throw e;
    return {
      verdict: "fail",
      checks: [{ name: "api", verdict: "fail", detail: failure.message }],
      queues: [],
      stuck: [],
      staleTasks: [],
    };
  }
}
