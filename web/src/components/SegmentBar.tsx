import { count, TASK_STATE_ORDER } from "../format.js";
import type { TaskState } from "../types.js";

/** Counts by state as one bar of coloured segments, widest first in a fixed state order. */
export function SegmentBar(props: {
  counts: Partial<Record<TaskState, number>>;
  total: number;
  height?: number;
}) {
  const { counts, total } = props;
  return (
    <div
      class="bar"
      style={{ height: `${props.height ?? 10}px` }}
      title={TASK_STATE_ORDER.filter((s) => counts[s])
        .map((s) => `${s}: ${count(counts[s]!)}`)
        .join(", ")}
    >
      {TASK_STATE_ORDER.map((s) => {
        const n = counts[s] ?? 0;
        if (n === 0 || total === 0) return null;
        return <span key={s} class={`seg st-${s}`} style={{ width: `${(100 * n) / total}%` }} />;
      })}
    </div>
  );
}

export function StateBadge(props: { state: string }) {
  return <span class={`badge st-${props.state}`}>{props.state.replace("_", " ")}</span>;
}

/** Counts as coloured chips; a chip is a link when `link` gives one for its state. */
export function CountChips(props: {
  counts: Partial<Record<TaskState, number>>;
  link?: (state: TaskState) => string | undefined;
}) {
  return (
    <span class="chips">
      {TASK_STATE_ORDER.filter((s) => props.counts[s]).map((s) => {
        const text = `${count(props.counts[s]!)} ${s.replace("_", " ")}`;
        const to = props.link?.(s);
        return to ? (
          <a key={s} class={`chip st-${s}`} href={to} data-state={s}>
            {text}
          </a>
        ) : (
          <span key={s} class={`chip st-${s}`} data-state={s}>
            {text}
          </span>
        );
      })}
    </span>
  );
}
