import { useEffect, useRef, useState } from "preact/hooks";
import { count, duration, firstLine, time } from "../format.js";
import { href } from "../route.js";
import type { Summary } from "../types.js";
import { CountChips, SegmentBar, StateBadge } from "./SegmentBar.js";

const TERMINAL = new Set(["completed", "failed", "skipped", "upstream_failed", "cancelled"]);

/** Finished tasks per second over the last samples (about 20 s), and the ETA from it. */
function useRate(w: Summary): { rate: number | null; eta: number | null } {
  const samples = useRef<Array<{ at: number; done: number }>>([]);
  const done = Object.entries(w.counts)
    .filter(([s]) => TERMINAL.has(s))
    .reduce((a, [, n]) => a + n, 0);
  const now = Date.now();
  const list = samples.current;
  if (list.at(-1)?.done !== done || list.length === 0) list.push({ at: now, done });
  while (list.length > 2 && now - list[0]!.at > 20_000) list.shift();
  if (w.status !== "running" || list.length < 2) return { rate: null, eta: null };
  const first = list[0]!;
  const rate = (done - first.done) / ((now - first.at) / 1000);
  if (!(rate > 0)) return { rate: 0, eta: null };
  return { rate, eta: ((w.total - done) / rate) * 1000 };
}

export function WorkflowHeader(props: { w: Summary; onCancel: () => Promise<void> }) {
  const { w } = props;
  const { rate, eta } = useRate(w);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const running = w.status === "running" || w.status === "pending";
  // The duration runs on between polls, which re-render only when something changed.
  const [, tick] = useState(0);
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [running]);
  const end = w.finishedAt ?? (running ? Date.now() : null);
  return (
    <header class="wf-header" data-testid="header" data-status={w.status}>
      <div class="title">
        <a href={href("/")} class="back">
          ← workflows
        </a>
        <h1>{w.name}</h1>
        <StateBadge state={w.status} />
        <span class="muted small">{w.id}</span>
        <span class="spacer" />
        {running &&
          (confirming ? (
            <span class="confirm">
              cancel {count(w.total)} tasks?{" "}
              <button
                type="button"
                class="danger"
                data-testid="confirm-cancel"
                disabled={busy}
                onClick={async () => {
                  setBusy(true);
                  try {
                    await props.onCancel();
                  } finally {
                    setBusy(false);
                    setConfirming(false);
                  }
                }}
              >
                yes, cancel
              </button>{" "}
              <button type="button" onClick={() => setConfirming(false)}>
                no
              </button>
            </span>
          ) : (
            <button type="button" data-testid="cancel" onClick={() => setConfirming(true)}>
              Cancel workflow
            </button>
          ))}
      </div>
      {w.reason && <p class="wf-reason">{firstLine(w.reason)}</p>}
      <SegmentBar counts={w.counts} total={w.total} height={14} />
      <div class="facts">
        <CountChips counts={w.counts} />
        <span>{count(w.total)} tasks</span>
        {w.startedAt && <span>started {time(w.startedAt)}</span>}
        {w.startedAt && end && <span>{duration(end - w.startedAt)}</span>}
        {rate !== null && <span data-testid="rate">{rate.toFixed(1)}/s</span>}
        {eta !== null && <span data-testid="eta">ETA {duration(eta)}</span>}
      </div>
    </header>
  );
}
