import { beforeEach, describe, expect, it, vi } from "vitest";

// A stand-in for the library: the test is about when it is loaded and built, not about Entra ID.
const made: unknown[] = [];
vi.mock("@azure/identity", () => ({
  DefaultAzureCredential: class {
    constructor(readonly options: unknown) {
      made.push(options);
    }
    async getToken(scopes: string | string[]) {
      return { token: `for ${String(scopes)}`, expiresOnTimestamp: 0 };
    }
  },
}));

const { lazyDefaultCredential } = await import("../../src/azure/lazyCredential.js");

describe("lazyDefaultCredential", () => {
  beforeEach(() => {
    made.length = 0;
  });

  it("builds nothing until a token is asked for", () => {
    lazyDefaultCredential({ managedIdentityClientId: "c1" });
    expect(made).toEqual([]);
  });

  it("builds one credential, with its options, and asks it for every token", async () => {
    const credential = lazyDefaultCredential({ managedIdentityClientId: "c1" });
    const [a, b] = await Promise.all([
      credential.getToken("https://storage.azure.com/.default"),
      credential.getToken(["https://servicebus.azure.net/.default"]),
    ]);
    expect(a?.token).toBe("for https://storage.azure.com/.default");
    expect(b?.token).toBe("for https://servicebus.azure.net/.default");
    expect(made).toEqual([{ managedIdentityClientId: "c1" }]);
  });
});
