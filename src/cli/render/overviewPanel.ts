import type { Overview } from "../../client/index.js";
import { WORKFLOW_STATES } from "../../core/index.js";
import { countsText } from "./countsText.js";
import type { Paint } from "./paint.js";
import { stateStyle } from "./stateStyle.js";

/** `dagq summary`: workflows by state, and the tasks of the running ones. */
export function overviewPanel(o: Overview, paint: Paint): string {
  const all = WORKFLOW_STATES.reduce((n, s) => n + o.workflows[s], 0);
  const byState = WORKFLOW_STATES.map((s) => {
    const text = `${o.workflows[s]} ${s}`;
    const style = stateStyle(s);
    return style && o.workflows[s] > 0 ? paint(style, text) : text;
  }).join(", ");
  const tasks = Object.values(o.runningTasks).reduce((a, b) => a + b, 0);
  const running = o.workflows.running;
  return (
    `workflows  ${all}: ${byState}\n` +
    `tasks      ${tasks} in ${running} running workflow${running === 1 ? "" : "s"}: ${countsText(o.runningTasks, paint)}\n`
  );
}
