import type { WorkflowDefinitionInput } from "../src/core/index.js";

/** The workflows the end-to-end benchmark submits: every task runs `true`. */

/** A root, `tasks - 2` leaves depending on it, and a join depending on every leaf. */
export function fanOutOf(tasks: number): WorkflowDefinitionInput {
  const leaves = Array.from({ length: tasks - 2 }, (_, i) => `leaf/${i}`);
  return {
    name: `fan-${tasks}`,
    tasks: [
      { name: "root", command: "true" },
      ...leaves.map((name) => ({ name, command: "true", depends_on: ["root"] })),
      { name: "join", command: "true", depends_on: leaves },
    ],
  };
}

/** `tasks` in a line: step/0 → step/1 → ... */
export function chainOf(tasks: number): WorkflowDefinitionInput {
  return {
    name: `chain-${tasks}`,
    tasks: Array.from({ length: tasks }, (_, k) => ({
      name: `step/${k}`,
      command: "true",
      ...(k === 0 ? {} : { depends_on: [`step/${k - 1}`] }),
    })),
  };
}

/** `layers` layers of `width`; each task depends on up to 3 pseudo-random tasks of the layer before. */
export function layeredOf(layers: number, width: number): WorkflowDefinitionInput {
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % width;
  };
  const tasks = [];
  for (let l = 0; l < layers; l++) {
    for (let w = 0; w < width; w++) {
      const deps =
        l === 0 ? [] : [...new Set([rand(), rand(), rand()])].map((p) => `l${l - 1}/t${p}`);
      tasks.push({
        name: `l${l}/t${w}`,
        command: "true",
        ...(deps.length ? { depends_on: deps } : {}),
      });
    }
  }
  return { name: `layered-${layers}x${width}`, tasks };
}
