import { useRef, useState } from "preact/hooks";
import { type Api, ApiError, taskPath } from "../api.js";
import { count } from "../format.js";
import { usePoll } from "../poll.js";
import { setQuery } from "../route.js";
import type { TaskDetail, TaskSort, TaskState, TaskWindow, WorkflowGraph } from "../types.js";
import { EXPAND_MAX, GraphPanel } from "./GraphPanel.js";
import { TaskPane } from "./TaskPane.js";
import { covers, type Loaded, type TableQuery, TaskTable, windowFor } from "./TaskTable.js";
import { WorkflowHeader } from "./WorkflowHeader.js";

function tableQuery(q: URLSearchParams): TableQuery {
  return {
    prefix: q.get("prefix") ?? "",
    status: (q.get("status") ?? "").split(",").filter(Boolean) as TaskState[],
    sort: (q.get("sort") as TaskSort | null) ?? "name",
    desc: q.get("order") === "desc",
  };
}

function tasksUrl(id: string, t: TableQuery, w: { offset: number; limit: number }): string {
  const q = new URLSearchParams({ offset: String(w.offset), limit: String(w.limit) });
  if (t.prefix) q.set("prefix", t.prefix);
  if (t.status.length) q.set("status", t.status.join(","));
  if (t.sort !== "name") q.set("sort", t.sort);
  if (t.desc) q.set("order", "desc");
  return `workflows/${encodeURIComponent(id)}/tasks?${q}`;
}

/**
 * A workflow: header, graph, task table and the selected task. One poll reads the graph (which
 * carries the status) and the table's window, both conditionally: a poll of a workflow that did
 * not change costs two 304s, and one that did costs its graph and one window of rows.
 */
export function WorkflowPage(props: {
  api: Api;
  id: string;
  query: URLSearchParams;
  onError: (e: unknown) => void;
}) {
  const { api, id, query } = props;
  const expand = query.get("expand") ?? "";
  const selected = query.get("task");
  const table = tableQuery(query);
  const tableKey = JSON.stringify(table);
  const [graph, setGraph] = useState<WorkflowGraph | null>(null);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [detail, setDetail] = useState<TaskDetail | null>(null);
  const [detailError, setDetailError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const scroll = useRef(0);
  const scrollTimer = useRef<ReturnType<typeof setTimeout>>();

  const graphUrl = `workflows/${encodeURIComponent(id)}/graph${expand ? `?expand=${encodeURIComponent(expand)}` : ""}`;

  async function readWindow(signal?: AbortSignal): Promise<void> {
    const w = windowFor(scroll.current);
    const r = await api.get<TaskWindow>(tasksUrl(id, table, w), signal);
    setLoaded((prev) =>
      prev?.window === r.data && prev.offset === w.offset
        ? prev
        : { offset: w.offset, window: r.data },
    );
  }

  async function readDetail(name: string, signal?: AbortSignal): Promise<void> {
    try {
      // Set even when unchanged: the pane may have been cleared since the answer was cached.
      const r = await api.get<TaskDetail>(taskPath(id, name), signal);
      setDetail(r.data);
      setDetailError(null);
    } catch (e) {
      // A poll that restarts (the workflow finished, the selection changed) aborts its read.
      if (signal?.aborted) return;
      setDetailError(e instanceof Error ? e.message : String(e));
    }
  }

  const finished = graph !== null && !["running", "pending"].includes(graph.workflow.status);
  usePoll(
    async (signal) => {
      try {
        const [g] = await Promise.all([
          api.get<WorkflowGraph>(graphUrl, signal),
          readWindow(signal),
        ]);
        // On a 304 the API returns the very object it cached, which does not re-render.
        setGraph(g.data);
        // The selected task is re-read only while it can still change.
        if (selected && g.changed && detail && !isFinal(detail.status))
          await readDetail(selected, signal);
      } catch (e) {
        if (signal.aborted) return;
        if (e instanceof ApiError && e.status === 404) setMissing(true);
        else if (e instanceof ApiError && e.status === 400 && expand) {
          setNotice(e.message);
          setQuery({ expand: undefined });
        } else props.onError(e);
      }
    },
    !finished,
    [id, graphUrl, tableKey],
  );

  usePoll(
    async (signal) => {
      setDetail(null);
      if (selected) await readDetail(selected, signal);
    },
    false,
    [id, selected],
  );

  if (missing) return <main class="muted">no workflow "{id}": it may have been purged.</main>;
  if (!graph) return <main class="muted">loading…</main>;

  const select = (name: string) => setQuery({ task: name });
  const onGroup = (group: string, total: number) => {
    const open = expand ? expand.split(",") : [];
    if (open.includes(group)) {
      setQuery({ expand: open.filter((g) => g !== group).join(",") || undefined });
      return;
    }
    const opened = open.reduce(
      (n, g) => n + (graph.groups.find((x) => x.group === g)?.tasks ?? 0),
      0,
    );
    if (total + opened > EXPAND_MAX) {
      // Too many to draw one by one: the table lists them instead.
      setNotice(`${group} has ${count(total)} tasks: listed in the table below`);
      if (group !== "/") setQuery({ prefix: group });
      return;
    }
    setNotice(null);
    setQuery({ expand: [...open, group].join(",") });
  };

  return (
    <main class={`workflow${selected ? " with-pane" : ""}`}>
      <div class="main-col">
        <WorkflowHeader
          w={graph.workflow}
          onCancel={async () => {
            await api.post(`workflows/${encodeURIComponent(id)}/cancel`, {
              reason: "cancelled from the dashboard",
            });
            const g = await api.get<WorkflowGraph>(graphUrl);
            setGraph(g.data);
          }}
        />
        {notice && <p class="notice">{notice}</p>}
        <section class="graph-box">
          <div class="graph-caption muted small">
            {graph.mode === "tasks"
              ? "every task; click one for its detail"
              : `collapsed by group and layer: click a group to expand it${expand ? ` (expanded: ${expand})` : ""}`}
          </div>
          <GraphPanel graph={graph} selected={selected} onTask={select} onGroup={onGroup} />
        </section>
        <TaskTable
          query={table}
          loaded={loaded}
          selected={selected}
          onSelect={select}
          onQuery={(q) => {
            const next = { ...table, ...q };
            setQuery({
              prefix: next.prefix || undefined,
              status: next.status.join(",") || undefined,
              sort: next.sort === "name" ? undefined : next.sort,
              order: next.desc ? "desc" : undefined,
            });
          }}
          onScroll={(top) => {
            scroll.current = top;
            clearTimeout(scrollTimer.current);
            scrollTimer.current = setTimeout(() => {
              if (!covers(loaded, top)) void readWindow().catch(props.onError);
            }, 60);
          }}
        />
      </div>
      {selected && (
        <TaskPane
          api={api}
          workflow={id}
          detail={detail}
          error={detailError}
          onClose={() => setQuery({ task: undefined })}
          onSelect={select}
        />
      )}
    </main>
  );
}

function isFinal(status: string): boolean {
  return ["completed", "failed", "skipped", "upstream_failed", "cancelled"].includes(status);
}
