import { useState } from "preact/hooks";
import type { Api } from "../api.js";
import { duration, time } from "../format.js";
import { usePoll } from "../poll.js";
import type { WorkerView } from "../types.js";

/**
 * The workers that sent a heartbeat in the last hour, by queue: live ones with what they run,
 * lost or stopped ones greyed. A queue that has waiting tasks and no live worker is the first
 * thing to look for when nothing moves.
 */
export function WorkersPage(props: { api: Api; onError: (e: unknown) => void }) {
  const [workers, setWorkers] = useState<WorkerView[] | null>(null);
  usePoll(
    async (signal) => {
      try {
        const r = await props.api.get<{ workers: WorkerView[] }>("workers", signal);
        setWorkers(r.data.workers);
      } catch (e) {
        if (!signal.aborted) props.onError(e);
      }
    },
    true,
    [],
    5000,
  );
  if (!workers) return <main class="muted">loading…</main>;
  const queues = [...new Set(workers.flatMap((w) => w.queues))].sort();
  const now = Date.now();
  return (
    <main class="workers" data-testid="workers">
      <a class="back" href="#/">
        ← workflows
      </a>
      <h1>Workers</h1>
      {workers.length === 0 && (
        <p class="muted">
          No worker has sent a heartbeat in the last hour. Start one with dagq worker.
        </p>
      )}
      {queues.map((q) => {
        const on = workers.filter((w) => w.queues.includes(q));
        const live = on.filter((w) => w.live);
        return (
          <section key={q} data-queue={q}>
            <h2>
              queue {q}: {live.length} live, {live.reduce((n, w) => n + w.running, 0)} of{" "}
              {live.reduce((n, w) => n + w.concurrency, 0)} slots busy
            </h2>
            <table class="workflows">
              <thead>
                <tr>
                  <th>worker</th>
                  <th>state</th>
                  <th class="num">running</th>
                  <th>host · pid</th>
                  <th>version</th>
                  <th>up</th>
                  <th>last seen</th>
                </tr>
              </thead>
              <tbody>
                {on.map((w) => (
                  <tr key={w.id} data-worker={w.id} class={w.live ? "" : "muted"}>
                    <td>{w.id}</td>
                    <td data-testid="worker-state">
                      {w.live ? "live" : w.stoppedAt ? "stopped" : "lost"}
                    </td>
                    <td class="num">
                      {w.running} / {w.concurrency}
                    </td>
                    <td>
                      {w.host} · {w.pid}
                    </td>
                    <td>{w.version}</td>
                    <td>{duration((w.stoppedAt || now) - w.startedAt)}</td>
                    <td>{time(w.lastSeen)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        );
      })}
    </main>
  );
}
