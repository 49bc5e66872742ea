import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { COMMAND_GROUPS, groupsFor } from "../../src/cli/commandIndex.js";

async function namesDefinedBy(load: () => Promise<(program: Command) => void>): Promise<string[]> {
  const program = new Command("dagq");
  (await load())(program);
  return program.commands.map((c) => c.name());
}

describe("the command index", () => {
  it("names exactly the commands each module defines, in help's order", async () => {
    for (const group of COMMAND_GROUPS)
      expect(await namesDefinedBy(group.load)).toEqual([...group.names]);
  });

  it("names each command once", () => {
    const names = COMMAND_GROUPS.flatMap((g) => g.names);
    expect(new Set(names).size).toBe(names.length);
  });

  it("loads only the group of the command being run", () => {
    expect(groupsFor(["worker", "-q", "gpu"]).flatMap((g) => g.names)).toEqual(["worker"]);
    expect(groupsFor(["validate", "x.yaml"]).flatMap((g) => g.names)).toContain("schema");
    expect(groupsFor(["status", "wf-1"]).flatMap((g) => g.names)).toContain("doctor");
  });

  it("loads every group for help, the version, no command, or an unknown one", () => {
    for (const args of [[], ["--help"], ["-V"], ["help", "worker"], ["wrker"]])
      expect(groupsFor(args)).toEqual(COMMAND_GROUPS);
  });
});
