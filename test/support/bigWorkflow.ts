/**
 * Large definitions shaped like real pipelines, for the dashboard's tests: `n` tasks in groups
 * (ingest/ → clean/ → features/ one to one, merged in batches, then train/, eval/, deploy/).
 */
export function pipelineDefinition(name: string, n: number, queue: string) {
  const tasks: Array<{ name: string; command: string; depends_on?: string[] }> = [];
  const merges = 100;
  const parts = Math.floor((n - merges - 20 - 5 - 1) / 3);
  const pad = (k: number) => String(k).padStart(6, "0");
  for (let k = 0; k < parts; k++) {
    tasks.push({ name: `ingest/part-${pad(k)}`, command: "true" });
    tasks.push({
      name: `clean/part-${pad(k)}`,
      command: "true",
      depends_on: [`ingest/part-${pad(k)}`],
    });
    tasks.push({
      name: `features/part-${pad(k)}`,
      command: "true",
      depends_on: [`clean/part-${pad(k)}`],
    });
  }
  for (let m = 0; m < merges; m++) {
    const mine: string[] = [];
    for (let k = m; k < parts; k += merges) mine.push(`features/part-${pad(k)}`);
    tasks.push({ name: `merge/batch-${m}`, command: "true", depends_on: mine });
  }
  const merged = Array.from({ length: merges }, (_, m) => `merge/batch-${m}`);
  for (let t = 0; t < 20; t++)
    tasks.push({ name: `train/model-${t}`, command: "true", depends_on: merged });
  for (let e = 0; e < 5; e++)
    tasks.push({
      name: `eval/round-${e}`,
      command: "true",
      depends_on: Array.from({ length: 4 }, (_, k) => `train/model-${e * 4 + k}`),
    });
  while (tasks.length < n)
    tasks.push({
      name: `deploy/step-${tasks.length}`,
      command: "true",
      depends_on: ["eval/round-0"],
    });
  return { name, defaults: { queue }, tasks };
}

/** `n` independent tasks in ten groups: a flat fan-out that workers can drain quickly. */
export function fanOutDefinition(name: string, n: number, queue: string) {
  return {
    name,
    defaults: { queue },
    tasks: Array.from({ length: n }, (_, k) => ({
      name: `shard-${k % 10}/task-${k}`,
      command: "true",
    })),
  };
}
