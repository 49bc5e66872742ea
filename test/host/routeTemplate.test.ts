import { describe, expect, it } from "vitest";
import { compileRoute } from "../../src/host/routeTemplate.js";

describe("compileRoute", () => {
  it("matches literals case-insensitively and one segment per parameter", () => {
    const r = compileRoute("workflows/{id}/tasks/{task}");
    expect(r.match(["Workflows", "x1", "tasks", "train/rf"])).toEqual({
      id: "x1",
      task: "train/rf",
    });
    expect(r.match(["workflows", "x1", "tasks"])).toBeNull();
    expect(r.match(["workflows", "x1", "tasks", "a", "b"])).toBeNull();
  });

  it("lets a last {*name} take the rest of the path, slashes included, or nothing", () => {
    const r = compileRoute("dashboard/{*path}");
    expect(r.match(["dashboard"])).toEqual({ path: "" });
    expect(r.match(["dashboard", "assets", "app.js"])).toEqual({ path: "assets/app.js" });
    expect(r.match(["other", "x"])).toBeNull();
    expect(r.literals).toBe(1);
  });

  it("refuses a catch-all that is not last, and optional parameters", () => {
    expect(() => compileRoute("{*rest}/x")).toThrow(/unsupported segment/);
    expect(() => compileRoute("a/{id?}")).toThrow(/unsupported segment/);
  });
});
