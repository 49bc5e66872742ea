import type { Json } from "../json.js";

export type X = Json;
