import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { azuriteConnectionString } from "../support/azurite.js";
import { dagqProcess, type Ran } from "../support/dagqProcess.js";

function dagq(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return dagqProcess(args, { env });
}

describe("dagq host says what is wrong, and what to do", () => {
  it("a port in use: one line naming it and --port, exit 69, no stack trace", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await dagq(["host", "--port", String(port), "--prefix", "hostport"], {
        DagqStorage: azuriteConnectionString(),
      });
      expect(r.code).toBe(69);
      expect(r.stderr).toContain(
        `dagq: host: port ${port} is in use: stop what listens there, or choose another with --port N (0: any free port)\n`,
      );
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    } finally {
      server.close();
    }
  }, 60_000);

  it("storage that does not answer: where it looked, and how to start Azurite; exit 69", async () => {
    const closed = "http://127.0.0.1:1/devstoreaccount1";
    const key =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    const r = await dagq(["host", "--port", "0"], {
      DagqStorage: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${key};BlobEndpoint=${closed};QueueEndpoint=${closed};TableEndpoint=${closed}`,
    });
    expect(r.code).toBe(69);
    expect(r.stderr).toContain(
      `dagq: host: cannot reach storage at ${closed} (ECONNREFUSED): is Azurite running? \`npx azurite --location .azurite --silent\` starts one on the default ports (on disk: in memory its queue GC freezes it under load); otherwise check DagqStorage\n`,
    );
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  }, 90_000);
});

describe("dagq --version", () => {
  it("prints the package's version", async () => {
    const r = await dagq(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${JSON.parse(readFileSync("package.json", "utf8")).version}\n`);
  });
});
