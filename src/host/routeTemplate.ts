/** A compiled route template such as `workflows/{id}/tasks`. */
export interface RouteTemplate {
  readonly template: string;
  /** Literal segments: a more literal route wins when two match (`purge/x` before `{a}/x`). */
  readonly literals: number;
  /** The parameters when `segments` (decoded, without the route prefix) match, else null. */
  match(segments: readonly string[]): Record<string, string> | null;
}

const PARAM = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const CATCH_ALL = /^\{\*([A-Za-z_][A-Za-z0-9_]*)\}$/;

/**
 * Compiles the subset of ASP.NET route templates this app uses: literal segments (matched
 * case-insensitively, as the Functions host does), `{name}` parameters, one segment each, and a
 * last `{*name}` catch-all that takes the rest of the path, slashes included, or nothing.
 * Optional and constrained parameters are refused rather than half-supported.
 */
export function compileRoute(template: string): RouteTemplate {
  const parts = template.replace(/^\/+|\/+$/g, "").split("/");
  const last = CATCH_ALL.exec(parts.at(-1) ?? "");
  if (last) parts.pop();
  const matchers = parts.map((part) => {
    const param = PARAM.exec(part);
    if (param) return { param: param[1]! };
    if (/[{}]/.test(part) || part === "") {
      throw new Error(`route "${template}": unsupported segment "${part}"`);
    }
    return { literal: part.toLowerCase() };
  });
  return {
    template,
    literals: matchers.filter((m) => "literal" in m).length,
    match(segments) {
      if (last ? segments.length < matchers.length : segments.length !== matchers.length)
        return null;
      const params: Record<string, string> = {};
      for (let i = 0; i < matchers.length; i++) {
        const m = matchers[i]!;
        const segment = segments[i]!;
        if ("literal" in m) {
          if (segment.toLowerCase() !== m.literal) return null;
        } else {
          if (segment === "") return null;
          params[m.param] = segment;
        }
      }
      if (last) params[last[1]!] = segments.slice(matchers.length).join("/");
      return params;
    },
  };
}
