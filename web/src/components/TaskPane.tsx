import { useEffect, useState } from "preact/hooks";
import { type Api, taskPath } from "../api.js";
import { duration, time } from "../format.js";
import type { TaskDetail } from "../types.js";
import { LogPane } from "./LogPane.js";
import { StateBadge } from "./SegmentBar.js";

type Json = TaskDetail["output"];

function isRef(v: Json): v is { $dagq: "output-ref"; path: string; bytes: number } {
  return (
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    (v as { $dagq?: unknown }).$dagq === "output-ref"
  );
}

/** One task in full: state, attempt and times, the whole reason, condition, inputs, output. */
export function TaskPane(props: {
  api: Api;
  workflow: string;
  detail: TaskDetail | null;
  error: string | null;
  onClose: () => void;
  onSelect: (name: string) => void;
}) {
  const { detail: d } = props;
  if (props.error) {
    return (
      <aside class="pane" data-testid="task-pane">
        <button type="button" class="close" onClick={props.onClose}>
          ×
        </button>
        <p class="error">{props.error}</p>
      </aside>
    );
  }
  if (!d) return <aside class="pane muted">loading…</aside>;
  const ran = d.startedAt && d.finishedAt ? duration(d.finishedAt - d.startedAt) : "";
  return (
    <aside class="pane" data-testid="task-pane" data-task={d.name}>
      <button type="button" class="close" aria-label="close" onClick={props.onClose}>
        ×
      </button>
      <h2 class="task-name">{d.name}</h2>
      <p>
        <StateBadge state={d.status} /> attempt {d.attempt} of {d.maxAttempts}
        {d.attempts !== d.attempt ? ` (${d.attempts} ran)` : ""} · layer {d.layer} · queue {d.queue}
      </p>
      <dl class="times">
        {d.dispatchedAt && <Item label="dispatched">{time(d.dispatchedAt)}</Item>}
        {d.startedAt && <Item label="started">{time(d.startedAt)}</Item>}
        {d.finishedAt && <Item label="finished">{time(d.finishedAt)}</Item>}
        {ran && <Item label="ran">{ran}</Item>}
        {d.retryAt && <Item label="retry at">{time(d.retryAt)}</Item>}
        {d.timeoutS !== null && <Item label="timeout">{d.timeoutS} s</Item>}
      </dl>
      {d.reason && (
        <section>
          <h3>reason</h3>
          <pre class="reason" data-testid="reason">
            {d.reason}
          </pre>
        </section>
      )}
      {d.condition && (
        <section>
          <h3>condition</h3>
          <pre class="code">{d.condition.source}</pre>
          <p class={`outcome outcome-${d.condition.outcome.replace(" ", "-")}`}>
            <b>{d.condition.outcome}</b>: {d.condition.reason}
          </p>
        </section>
      )}
      <section>
        <h3>command</h3>
        <pre class="code">{d.command}</pre>
      </section>
      <Links
        title="depends on"
        policy={d.depPolicy}
        links={d.dependencies}
        onSelect={props.onSelect}
      />
      <Links title="needed by" links={d.dependants} onSelect={props.onSelect} />
      {Object.keys(d.inputs).length > 0 && (
        <section>
          <h3>inputs</h3>
          {Object.entries(d.inputs).map(([name, value]) => (
            <div key={name}>
              <div class="muted small">{name}</div>
              <Value api={props.api} workflow={props.workflow} task={name} value={value} />
            </div>
          ))}
        </section>
      )}
      <section>
        <h3>output</h3>
        {d.status === "completed" ? (
          <Value api={props.api} workflow={props.workflow} task={d.name} value={d.output} />
        ) : (
          <p class="muted">{isFinal(d.status) ? "none" : "none yet"}</p>
        )}
      </section>
      <LogPane api={props.api} workflow={props.workflow} task={d.name} attempts={d.attempts} />
    </aside>
  );
}

function Item(props: { label: string; children: preact.ComponentChildren }) {
  return (
    <>
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </>
  );
}

function Links(props: {
  title: string;
  policy?: TaskDetail["depPolicy"];
  links: TaskDetail["dependencies"];
  onSelect: (name: string) => void;
}) {
  if (props.links.total === 0) return null;
  const more = props.links.total - props.links.tasks.length;
  return (
    <section>
      <h3>
        {props.title} ({props.links.total}
        {props.policy !== undefined && props.policy !== "all" ? `, dep_policy ${props.policy}` : ""}
        )
      </h3>
      <ul class="links">
        {props.links.tasks.map((t) => (
          <li key={t.name}>
            <button type="button" class="link" onClick={() => props.onSelect(t.name)}>
              {t.name}
            </button>{" "}
            <StateBadge state={t.status} />
          </li>
        ))}
        {more > 0 && <li class="muted">and {more} more</li>}
      </ul>
    </section>
  );
}

/** A JSON value; a spilled output (a reference to a blob) is fetched through the output route. */
function Value(props: { api: Api; workflow: string; task: string; value: Json }) {
  const [resolved, setResolved] = useState<Json | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const ref = isRef(props.value) ? props.value : null;
  useEffect(() => {
    setResolved(undefined);
    if (!ref) return;
    props.api
      .get<{ output: Json }>(`${taskPath(props.workflow, props.task)}/output`)
      .then((r) => setResolved(r.data.output))
      .catch((e: unknown) => setError(String((e as Error).message ?? e)));
  }, [ref?.path]);
  if (!ref) return <pre class="json">{JSON.stringify(props.value, null, 2)}</pre>;
  if (error) return <p class="error">{error}</p>;
  if (resolved === undefined)
    return <p class="muted">fetching {ref.bytes.toLocaleString()} bytes…</p>;
  return (
    <pre class="json" data-spilled={ref.bytes}>
      {JSON.stringify(resolved, null, 2)}
    </pre>
  );
}

function isFinal(status: string): boolean {
  return ["completed", "failed", "skipped", "upstream_failed", "cancelled"].includes(status);
}
