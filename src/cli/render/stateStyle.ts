import type { Style } from "./paint.js";

/** One colour per task or workflow state, the same in every client command. */
export function stateStyle(state: string): Style | undefined {
  switch (state) {
    case "completed":
      return "green";
    case "failed":
    case "upstream_failed":
      return "red";
    case "running":
      return "cyan";
    case "skipped":
    case "cancelled":
      return "yellow";
    case "pending":
    case "ready":
      return "gray";
    default:
      return undefined;
  }
}
