import { describe, expect, it } from "vitest";
import { chartSvg, points } from "../../bench/chart.js";

const line = (metric: string, value: number | null) => ({ metric, value });

/** Every `<circle cx cy>` of a panel (the legend's circles have no <title>). */
function dots(svg: string): Array<{ title: string; cy: number }> {
  return [...svg.matchAll(/<circle cx="[\d.]+" cy="([\d.]+)"[^>]*><title>([^<]*)<\/title>/g)].map(
    (m) => ({ cy: Number(m[1]), title: m[2]! }),
  );
}

/** The y of each dashed target line, in panel order. */
function targets(svg: string): number[] {
  return [...svg.matchAll(/<line [^>]*y1="([\d.]+)"[^>]*class="target"\/>/g)].map((m) =>
    Number(m[1]),
  );
}

describe("the benchmark chart", () => {
  it("takes its points from the shape lines only, and none that were not measured", () => {
    const got = points([
      line("shape.fanout.1000.tasks_per_s", 63.2),
      line("shape.fanout.1000.requests_per_task", 3.9),
      line("shape.chain.3.tasks_per_s", null),
      line("e2e.tasks_per_s.1k", 63.2),
      line("shape.layered.1000.latency_ms", 4),
    ]);
    expect(got).toEqual([
      { shape: "fanout", tasks: 1000, measure: "tasks/s", value: 63.2 },
      { shape: "fanout", tasks: 1000, measure: "requests/task", value: 3.9 },
    ]);
  });

  it("draws each point once, and a point at the target on the target's line", () => {
    const svg = chartSvg(
      [
        line("shape.fanout.100.tasks_per_s", 200),
        line("shape.fanout.1000.tasks_per_s", 50),
        line("shape.fanout.100.requests_per_task", 2),
        line("shape.fanout.1000.requests_per_task", 4),
        line("shape.chain.3.tasks_per_s", 1.5),
        line("shape.chain.3.requests_per_task", 30),
      ],
      "test",
    );
    const d = dots(svg);
    expect(d.map((p) => p.title)).toEqual([
      "fanout 100: 200 tasks/s",
      "fanout 1000: 50.0 tasks/s",
      "chain 3: 1.50 tasks/s",
      "fanout 100: 2.00 requests/task",
      "fanout 1000: 4.00 requests/task",
      "chain 3: 30.0 requests/task",
    ]);
    const [tasksTarget, requestsTarget] = targets(svg);
    expect(d[0]!.cy).toBe(tasksTarget);
    expect(d[3]!.cy).toBe(requestsTarget);
    // SVG's y grows downwards: more is higher up.
    expect(d[1]!.cy).toBeGreaterThan(d[0]!.cy);
    expect(d[2]!.cy).toBeGreaterThan(d[1]!.cy);
    expect(d[4]!.cy).toBeLessThan(d[3]!.cy);
    // One line per shape with more than one point, in each panel.
    expect(svg.match(/class="series"/g)).toHaveLength(2);
  });

  it("escapes the text it is given", () => {
    const svg = chartSvg([line("shape.fanout.100.tasks_per_s", 20)], 'load <7> & "busy"');
    expect(svg).toContain("load &lt;7&gt; &amp; &quot;busy&quot;");
    expect(svg).not.toContain("<7>");
  });
});
