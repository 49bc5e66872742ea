import { type Figure, runCoreBench } from "./coreBench.js";
import { runMapBench } from "./mapBench.js";
import { runRecoverBench } from "./recoverBench.js";
import { runServerlessBench } from "./serverlessBench.js";

/** `npm run bench`: runs every benchmark in one process and prints one table. */
const figures: Figure[] = [];
const log = (line: string) => process.stderr.write(`${line}\n`);
figures.push(...runCoreBench(log));
figures.push(...runRecoverBench(log));
figures.push(...(await runMapBench(log, { core: process.argv.includes("--core") })));
if (!process.argv.includes("--core")) figures.push(...(await runServerlessBench(log)));

const width = Math.max(...figures.map((f) => f.name.length));
console.log(`\ndagq benchmarks — node ${process.version}, ${new Date().toISOString()}\n`);
for (const f of figures) {
  const value = f.value >= 100 ? Math.round(f.value).toLocaleString("en-US") : f.value.toFixed(2);
  console.log(
    `${f.name.padEnd(width)}  ${`${value} ${f.unit}`.padStart(16)}${f.target ? `   target ${f.target}` : ""}`,
  );
}
