import { useState } from "preact/hooks";
import type { Api } from "../api.js";
import { count, duration, firstLine, time, WORKFLOW_STATE_ORDER } from "../format.js";
import { usePoll } from "../poll.js";
import { href, setQuery } from "../route.js";
import type { Overview, WorkflowStatus } from "../types.js";
import { CountChips, SegmentBar, StateBadge } from "./SegmentBar.js";

const PAGE = 50;

/** Workflows, newest first: the deployment's summary, filters, and pages like the API's. */
export function WorkflowList(props: {
  api: Api;
  query: URLSearchParams;
  onError: (e: unknown) => void;
}) {
  const { api, query } = props;
  const status = query.get("status") ?? "";
  const name = query.get("name") ?? "";
  const cursor = query.get("cursor") ?? "";
  const [summary, setSummary] = useState<Overview | null>(null);
  const [page, setPage] = useState<{ workflows: WorkflowStatus[]; next: string | null } | null>(
    null,
  );
  const [history, setHistory] = useState<string[]>([]);
  const [search, setSearch] = useState(name);

  usePoll(
    async (signal) => {
      try {
        const q = new URLSearchParams({ limit: String(PAGE) });
        if (status) q.set("status", status);
        if (name) q.set("name", name);
        if (cursor) q.set("cursor", cursor);
        const [s, p] = await Promise.all([
          api.get<Overview>("summary", signal),
          api.get<{ workflows: WorkflowStatus[]; next: string | null }>(`workflows?${q}`, signal),
        ]);
        // On a 304 the API returns the very object it cached, which does not re-render.
        setSummary(s.data);
        setPage(p.data);
      } catch (e) {
        if (!signal.aborted) props.onError(e);
      }
    },
    true,
    [status, name, cursor],
    3000,
  );

  return (
    <main class="list">
      <section class="summary" data-testid="summary">
        <h2>Deployment</h2>
        {summary ? (
          <div class="summary-row">
            {WORKFLOW_STATE_ORDER.map((s) => (
              <a key={s} class={`stat wf-${s}`} href={href("/", { status: s })}>
                <b>{count(summary.workflows[s] ?? 0)}</b> {s}
              </a>
            ))}
            <span class="running-tasks">
              tasks of running workflows:{" "}
              {Object.values(summary.runningTasks).some((n) => n > 0) ? (
                <CountChips counts={summary.runningTasks} />
              ) : (
                "none"
              )}
            </span>
          </div>
        ) : (
          <p class="muted">loading…</p>
        )}
      </section>
      <section class="filters">
        <label>
          state{" "}
          <select
            name="status"
            value={status}
            onChange={(e) =>
              setQuery({ status: (e.target as HTMLSelectElement).value, cursor: undefined })
            }
          >
            <option value="">any</option>
            {WORKFLOW_STATE_ORDER.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setQuery({ name: search.trim() || undefined, cursor: undefined });
          }}
        >
          <input
            name="search"
            type="search"
            placeholder="search by name"
            value={search}
            onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
          />
        </form>
      </section>
      <table class="workflows">
        <thead>
          <tr>
            <th>workflow</th>
            <th>state</th>
            <th class="progress-col">progress</th>
            <th>started</th>
            <th>duration</th>
            <th class="num">tasks</th>
          </tr>
        </thead>
        <tbody>
          {page?.workflows.map((w) => (
            <WorkflowRow key={w.id} w={w} />
          ))}
          {page && page.workflows.length === 0 && (
            <tr>
              <td colSpan={6} class="muted">
                no workflows{status || name ? " match" : " yet"}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <nav class="pager">
        <button
          type="button"
          disabled={!cursor}
          onClick={() => {
            const prev = history.slice(0, -1);
            setHistory(prev);
            setQuery({ cursor: history.at(-1) || undefined });
          }}
        >
          ← newer
        </button>
        <button
          type="button"
          disabled={!page?.next}
          onClick={() => {
            setHistory([...history, cursor]);
            setQuery({ cursor: page?.next ?? undefined });
          }}
        >
          older →
        </button>
      </nav>
    </main>
  );
}

function WorkflowRow(props: { w: WorkflowStatus }) {
  const { w } = props;
  const page = `/w/${encodeURIComponent(w.id)}`;
  const end = w.finishedAt ?? (w.status === "running" ? Date.now() : null);
  return (
    <tr data-id={w.id}>
      <td>
        <a class="wf-link" href={href(page)}>
          {w.name}
        </a>
        <div class="muted small">{w.id}</div>
      </td>
      <td>
        <StateBadge state={w.status} />
        {w.reason && <div class="muted small">{firstLine(w.reason)}</div>}
      </td>
      <td class="progress-col">
        <SegmentBar counts={w.counts} total={w.total} />
        {/* Failures link straight to them: the reason is then one click away. */}
        <CountChips
          counts={w.counts}
          link={(s) =>
            s === "failed" || s === "upstream_failed" ? href(page, { status: s }) : undefined
          }
        />
      </td>
      <td>{time(w.startedAt)}</td>
      <td>{w.startedAt && end ? duration(end - w.startedAt) : ""}</td>
      <td class="num">{count(w.total)}</td>
    </tr>
  );
}
