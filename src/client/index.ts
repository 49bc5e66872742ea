/** dagq's HTTP API client: `new DagqClient({ url, key })`. See docs/client.md. */
export {
  DagqClient,
  type DagqClientOptions,
  type RerunOptions,
  type SubmitOptions,
} from "./dagqClient.js";
export { DagqApiError, DagqConnectionError, DagqResponseError } from "./errors.js";
export type {
  Abortable,
  FollowOptions,
  ListQuery,
  LogQuery,
  TaskQuery,
  WaitOptions,
} from "./queries.js";
export * from "./schemas.js";
