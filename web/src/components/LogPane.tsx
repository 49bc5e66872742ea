import { useState } from "preact/hooks";
import { type Api, taskPath } from "../api.js";
import { usePoll } from "../poll.js";
import type { TaskLogChunk } from "../types.js";

/** While an attempt runs its log is read again from where the last read ended, this often. */
const FOLLOW_MS = 1500;

interface Shown {
  readonly attempt: number;
  readonly text: string;
  readonly next: number;
  readonly exists: boolean;
  readonly complete: boolean;
}

/**
 * One attempt's log (stdout `O`, stderr `E`, dagq's notes `-`, a timestamp each), followed
 * while the attempt runs: each read asks only for the bytes after the last one, and reading
 * stops once the state says the attempt ended and everything was read. Earlier attempts are a
 * click away.
 */
export function LogPane(props: { api: Api; workflow: string; task: string; attempts: number }) {
  const [chosen, setChosen] = useState<number | null>(null);
  const attempt = chosen ?? Math.max(props.attempts, 1);
  const [shown, setShown] = useState<Shown | null>(null);
  const [error, setError] = useState<string | null>(null);
  const current = shown?.attempt === attempt ? shown : null;

  usePoll(
    async (signal) => {
      const from = current?.next ?? 0;
      const q = `attempt=${attempt}&offset=${from}`;
      try {
        const r = await props.api.get<TaskLogChunk>(
          `${taskPath(props.workflow, props.task)}/logs?${q}`,
          signal,
        );
        const c = r.data;
        setError(null);
        setShown({
          attempt,
          text: (current?.text ?? "") + c.text,
          next: c.next,
          exists: c.exists,
          complete: c.complete,
        });
      } catch (e) {
        if (!signal.aborted) setError(e instanceof Error ? e.message : String(e));
      }
    },
    !(current?.complete ?? false),
    [props.workflow, props.task, attempt],
    FOLLOW_MS,
  );

  return (
    <section class="log" data-testid="log" data-attempt={attempt}>
      <h3>
        log
        {props.attempts > 1 &&
          Array.from({ length: props.attempts }, (_, k) => k + 1).map((n) => (
            <button
              type="button"
              key={n}
              class={`link attempt${n === attempt ? " current" : ""}`}
              onClick={() => setChosen(n)}
            >
              #{n}
            </button>
          ))}
      </h3>
      {error && <p class="error">{error}</p>}
      {props.attempts === 0 ? (
        <p class="muted">not run yet</p>
      ) : !current ? (
        <p class="muted">loading…</p>
      ) : current.text === "" ? (
        <p class="muted">
          {current.complete ? "the task printed nothing" : "nothing printed yet (following)"}
        </p>
      ) : (
        <>
          <pre class="log-text" data-testid="log-text">
            {current.text.split("\n").map((line, k) => (
              <span key={k} class={lineClass(line)}>
                {line}
                {"\n"}
              </span>
            ))}
          </pre>
          {!current.complete && <p class="muted small">following…</p>}
        </>
      )}
    </section>
  );
}

/** A line is `<24-character ISO time> <tag> <text>` (worker/attemptLog.ts): the tag is at 25. */
function lineClass(line: string): string {
  const tag = line.charAt(25);
  return tag === "E" ? "err" : tag === "-" ? "note" : "";
}
