import { useEffect, useRef, useState } from "preact/hooks";
import { clickable } from "../clickable.js";
import { count, duration, firstLine, TASK_STATE_ORDER, time } from "../format.js";
import type { TaskSort, TaskState, TaskView, TaskWindow } from "../types.js";
import { StateBadge } from "./SegmentBar.js";

export const ROW_H = 28;
const VIEW_ROWS = 16;
/** Rows fetched around the visible ones, so that a short scroll needs no request. */
export const OVERSCAN = 40;

export interface TableQuery {
  readonly prefix: string;
  readonly status: readonly TaskState[];
  readonly sort: TaskSort;
  readonly desc: boolean;
}

export interface Loaded {
  readonly offset: number;
  readonly window: TaskWindow;
}

/** The window of rows to fetch for a scroll position. */
export function windowFor(scrollTop: number): { offset: number; limit: number } {
  const first = Math.floor(scrollTop / ROW_H);
  const offset = Math.max(0, first - OVERSCAN);
  return { offset, limit: VIEW_ROWS + 2 * OVERSCAN };
}

/** Whether the rows in view at `scrollTop` are all in the loaded window. */
export function covers(loaded: Loaded | null, scrollTop: number): boolean {
  if (!loaded) return false;
  const first = Math.floor(scrollTop / ROW_H);
  const last = Math.min(loaded.window.total, first + VIEW_ROWS) - 1;
  return first >= loaded.offset && last < loaded.offset + loaded.window.tasks.length;
}

const COLUMNS: ReadonlyArray<{ key: TaskSort | null; label: string; cls: string }> = [
  { key: "name", label: "task", cls: "c-name" },
  { key: "status", label: "state", cls: "c-state" },
  { key: "attempts", label: "att.", cls: "c-att" },
  { key: "started", label: "started", cls: "c-time" },
  { key: "duration", label: "duration", cls: "c-dur" },
  { key: null, label: "reason", cls: "c-reason" },
];

/**
 * The task table. Virtualized by hand: rows have one fixed height, so the rows in view are
 * `scrollTop / ROW_H` onwards and a spacer of `total × ROW_H` gives the scrollbar its length;
 * a library would add code for variable heights this table does not have. Only the window
 * around the view is ever fetched (`offset`/`limit`), whatever the workflow's size.
 */
export function TaskTable(props: {
  query: TableQuery;
  loaded: Loaded | null;
  selected: string | null;
  onQuery: (q: Partial<TableQuery>) => void;
  onScroll: (scrollTop: number) => void;
  onSelect: (name: string) => void;
}) {
  const { query, loaded } = props;
  const body = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [prefix, setPrefix] = useState(query.prefix);
  useEffect(() => setPrefix(query.prefix), [query.prefix]);
  // A new filter or order starts at the top.
  useEffect(() => {
    if (body.current) body.current.scrollTop = 0;
    setScrollTop(0);
  }, [query.prefix, query.status.join(","), query.sort, query.desc]);

  const total = loaded?.window.total ?? 0;
  const first = Math.floor(scrollTop / ROW_H);
  const rows: Array<{ index: number; task: TaskView | undefined }> = [];
  for (let i = first; i < Math.min(total, first + VIEW_ROWS + 2); i++) {
    rows.push({ index: i, task: loaded ? loaded.window.tasks[i - loaded.offset] : undefined });
  }
  const toggle = (s: TaskState) =>
    props.onQuery({
      status: query.status.includes(s) ? query.status.filter((x) => x !== s) : [...query.status, s],
    });

  return (
    <section class="tasks" data-testid="tasks" data-total={total}>
      <div class="table-filters">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            props.onQuery({ prefix: prefix.trim() });
          }}
        >
          <input
            name="prefix"
            type="search"
            placeholder="name prefix, e.g. train/"
            value={prefix}
            onInput={(e) => setPrefix((e.target as HTMLInputElement).value)}
          />
        </form>
        <span class="state-filter">
          {TASK_STATE_ORDER.map((s) => (
            <button
              key={s}
              type="button"
              class={`chip st-${s}${query.status.includes(s) ? " on" : ""}`}
              data-filter={s}
              aria-pressed={query.status.includes(s)}
              onClick={() => toggle(s)}
            >
              {s.replace("_", " ")}
            </button>
          ))}
        </span>
        <span class="muted">{count(total)} tasks</span>
      </div>
      <div class="thead">
        {COLUMNS.map((c) => (
          <span key={c.label} class={c.cls}>
            {c.key ? (
              <button
                type="button"
                class="link sortable"
                data-sort={c.key}
                onClick={() => {
                  const key = c.key!;
                  props.onQuery({ sort: key, desc: query.sort === key ? !query.desc : false });
                }}
              >
                {c.label}
                {c.key === query.sort ? (query.desc ? " ▼" : " ▲") : ""}
              </button>
            ) : (
              c.label
            )}
          </span>
        ))}
      </div>
      <div
        class="tbody"
        ref={body}
        style={{ height: `${Math.max(3, Math.min(VIEW_ROWS, total)) * ROW_H}px` }}
        onScroll={(e) => {
          const top = (e.target as HTMLDivElement).scrollTop;
          setScrollTop(top);
          props.onScroll(top);
        }}
      >
        <div style={{ height: `${total * ROW_H}px`, position: "relative" }}>
          {rows.map(({ index, task }) => (
            <div
              key={index}
              class={`row${task && task.name === props.selected ? " selected" : ""}`}
              style={{ top: `${index * ROW_H}px`, height: `${ROW_H}px` }}
              data-index={index}
              data-task={task?.name}
              {...clickable(() => task && props.onSelect(task.name))}
            >
              {task ? (
                <>
                  <span class="c-name" title={task.name}>
                    {task.name}
                  </span>
                  <span class="c-state">
                    <StateBadge state={task.status} />
                  </span>
                  <span class="c-att">{task.attempts}</span>
                  <span class="c-time">{time(task.startedAt)}</span>
                  <span class="c-dur">
                    {task.startedAt && task.finishedAt
                      ? duration(task.finishedAt - task.startedAt)
                      : ""}
                  </span>
                  <span class="c-reason" title={task.reason ?? ""}>
                    {firstLine(task.reason)}
                  </span>
                </>
              ) : (
                <span class="muted">…</span>
              )}
            </div>
          ))}
        </div>
      </div>
    </section>
  );
}
