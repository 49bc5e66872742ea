/**
 * Workflow definitions for the fuzz suites: small valid ones of every feature (groups,
 * dependencies, policies, conditions, retries, env, queues), and mutations of them.
 */
import fc from "fast-check";
import { hostileString, mutationsOf } from "./hostile.js";

const CONDITIONS = [
  'inputs["{p}"].v > 1',
  'count(inputs["*"].ok) >= 1',
  'inputs.{p}.tags[0] == "x" and not (inputs.{p}.v < 0)',
  "all(inputs.*.v < 10)",
];

function taskArb(i: number) {
  const earlier = Array.from({ length: i }, (_, k) => `t${k}`);
  return fc.subarray(earlier, { maxLength: Math.min(3, i) }).chain((deps) =>
    fc.record(
      {
        name: fc.constantFrom(`t${i}`),
        command: fc.constantFrom("true", "echo hi", "exit 3", "printf '{}' > \"$DAGQ_OUTPUT\""),
        depends_on: fc.constant(deps),
        // Policies and conditions only where there are parents: without, they are errors
        // (which the mutations reach anyway).
        ...(deps.length > 0
          ? {
              dep_policy: fc.constantFrom("all", "any", "all_settled", "always", 1),
              condition: fc.constantFrom(...CONDITIONS).map((c) => c.replaceAll("{p}", deps[0]!)),
            }
          : {}),
        num_retries: fc.integer({ min: 0, max: 3 }),
        retry_backoff_s: fc.constantFrom(0, 1, 3600),
        timeout_s: fc.constantFrom(1, 60),
        // A Service Bus queue outside the deployment's namespaces is refused (a 400 naming the
        // task): rare, so that most definitions still reach the engine.
        queue: fc.oneof(
          { arbitrary: fc.constantFrom("default", "gpu"), weight: 19 },
          { arbitrary: fc.constant("sb://evil.example.invalid/q"), weight: 1 },
        ),
        env: fc.dictionary(
          fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/),
          fc.string({ maxLength: 20 }),
          {
            maxKeys: 3,
          },
        ),
      },
      { requiredKeys: ["name", "command"] },
    ),
  );
}

/** Definitions of 1 to 6 tasks, valid as far as the generator knows (conditions may not be). */
export const definitionArb = fc.integer({ min: 1, max: 6 }).chain((n) =>
  fc.record(
    {
      name: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom("fuzz", "ml/pipeline", "naïve ✓ 名前") },
        hostileString(300),
      ),
      description: fc.string({ maxLength: 40 }),
      defaults: fc.record({ num_retries: fc.integer({ min: 0, max: 2 }) }, { requiredKeys: [] }),
      result_policy: fc.constantFrom("sinks", "all_tasks"),
      max_parallelism: fc.integer({ min: 1, max: 4 }),
      tasks: fc.tuple(...Array.from({ length: n }, (_, i) => taskArb(i))),
    },
    { requiredKeys: ["name", "tasks"] },
  ),
);

/** A valid-looking definition, or one with a hostile value, key or shape somewhere in it. */
export const mutatedDefinitionArb = definitionArb.chain((def) =>
  fc.oneof(fc.constant(def as unknown), mutationsOf(def)),
);
