import { describe, expect, it } from "vitest";
import { chromiumPlan } from "../support/chromium.js";

describe("chromiumPlan: the browser tests install Chromium, or skip saying why", () => {
  const machine = (files: string[], uid: number | undefined, platform = "linux") => ({
    exists: (p: string) => files.includes(p),
    platform,
    uid,
  });

  it("uses an installed Chromium, installs it as root with apt, and skips otherwise", () => {
    expect(chromiumPlan(machine(["/usr/bin/chromium"], 1000))).toBe("ready");
    expect(chromiumPlan(machine(["/usr/bin/apt-get"], 0))).toBe("install");
    expect(chromiumPlan(machine(["/usr/bin/apt-get"], 1000))).toEqual({
      skip: "no /usr/bin/chromium: run `sudo apt-get install -y chromium` (the tests install it only as root)",
    });
    expect(chromiumPlan(machine([], 0))).toEqual({
      skip: "no /usr/bin/chromium, and no apt-get to install Debian's chromium package",
    });
    expect(chromiumPlan(machine(["/usr/bin/apt-get"], undefined, "darwin"))).toMatchObject({
      skip: expect.stringContaining("no apt-get"),
    });
  });
});
