import { readFileSync } from "node:fs";
import { extname } from "node:path";
import type { Command } from "commander";
import { DagqError, ErrorCode, type Json, type WorkflowDefinitionInput } from "../../core/index.js";
import { loadDefinitionFile } from "../../definitionFile.js";
import type { EndpointFlags } from "../endpoint.js";
import { ExitCode } from "../exitCode.js";
import { param, positiveSeconds, workflowId } from "../optionParsers.js";
import { safeText } from "../render/safeText.js";
import { clientCommand, runWithClient } from "./clientCommand.js";
import { watchWorkflow } from "./watchCommand.js";

interface SubmitFlags extends EndpointFlags {
  readonly watch: boolean;
  readonly layers?: boolean;
  readonly interval: number;
  readonly id?: string;
  readonly param: Readonly<Record<string, Json>>;
}

/**
 * `dagq submit FILE...`: every file is checked here first, with the messages `dagq validate`
 * gives (file path, definition path, line), so a bad file is caught before anything is sent
 * and a batch is submitted whole or not at all. Prints one id per line on stdout.
 */
export function submitCommand(): Command {
  return clientCommand("submit", "submit workflow definition files; prints their ids")
    .argument("<files...>", "workflow definitions (.yaml, .yml or .json)")
    .option("-w, --watch", "then watch each until it ends (exit code as dagq watch)", false)
    .option("--layers", "with --watch: show counts per layer")
    .option("--no-layers", "with --watch: never show counts per layer")
    .option("-i, --interval <s>", "with --watch: seconds between polls", positiveSeconds, 1)
    .option(
      "--id <id>",
      "the workflow's id, of your choosing: submitting again with it is safe (one FILE only)",
      workflowId,
    )
    .option("--param <name=value>", "a parameter's value (repeatable; JSON or text)", param, {})
    .action(async (files: string[], flags: SubmitFlags) => {
      await runWithClient(flags, async (client) => {
        if (flags.id !== undefined && files.length > 1)
          throw new DagqError(
            ErrorCode.INVALID_DEFINITION,
            "--id names one workflow: give one FILE",
          );
        const params = Object.keys(flags.param).length > 0 ? flags.param : undefined;
        const payloads = files.map((file) => {
          const def = loadDefinitionFile(file, params ? { params } : {});
          return { file, name: def.definition.name, body: payloadOf(file) };
        });
        const ids: string[] = [];
        for (const p of payloads) {
          const submitted = await client.submit(p.body, {
            ...(flags.id !== undefined ? { id: flags.id } : {}),
            ...(params ? { params } : {}),
          });
          ids.push(submitted.id);
          process.stdout.write(`${submitted.id}\n`);
          process.stderr.write(
            `${safeText(p.name)}: submitted as ${submitted.id} (${submitted.tasks} tasks, ${submitted.status})\n`,
          );
        }
        if (!flags.watch) return ExitCode.ok;
        let code: number = ExitCode.ok;
        for (const id of ids) {
          const watched = await watchWorkflow(client, id, { ...flags, json: false });
          if (watched === ExitCode.interrupted) return watched;
          if (code === ExitCode.ok) code = watched;
        }
        return code;
      });
    });
}

/** JSON files go as JSON; anything else as the YAML text itself, as the user wrote it. */
function payloadOf(file: string): WorkflowDefinitionInput | string {
  const text = readFileSync(file, "utf8");
  return extname(file).toLowerCase() === ".json"
    ? (JSON.parse(text) as WorkflowDefinitionInput)
    : text;
}
