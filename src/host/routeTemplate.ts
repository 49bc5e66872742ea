/** A compiled route template such as `workflows/{id}/tasks`. */
export interface RouteTemplate {
  readonly template: string;
  /** Literal segments: a more literal route wins when two match (`purge/x` before `{a}/x`). */
  readonly literals: number;
  /** The parameters when `segments` (decoded, without the route prefix) match, else null. */
  match(segments: readonly string[]): Record<string, string> | null;
}

const PARAM = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/**
 * Compiles the subset of ASP.NET route templates this app uses: literal segments (matched
 * case-insensitively, as the Functions host does) and `{name}` parameters, one segment each.
 * Optional, catch-all and constrained parameters are refused rather than half-supported.
 */
export function compileRoute(template: string): RouteTemplate {
  const parts = template.replace(/^\/+|\/+$/g, "").split("/");
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
      if (segments.length !== matchers.length) return null;
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
      return params;
    },
  };
}
