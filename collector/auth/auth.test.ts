import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers.js";
import { type Db, openDatabase } from "../store/openDatabase.js";
import { CredentialStore } from "./credentialStore.js";
import { GatewayAuthenticator } from "./gatewayAuthenticator.js";
import { GENERATED_PASSWORD_COST, generatePassword, hashPassword, verifyPassword } from "./passwordHash.js";

const utf8 = (s: string) => Buffer.from(s, "utf8");

describe("password hashes", () => {
  it("verify the right password only, with a fresh salt per hash", async () => {
    const a = await hashPassword("correct horse battery staple", GENERATED_PASSWORD_COST);
    const b = await hashPassword("correct horse battery staple", GENERATED_PASSWORD_COST);
    expect(a).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("horse");
    expect(await verifyPassword(utf8("correct horse battery staple"), a)).toBe(true);
    expect(await verifyPassword(utf8("correct horse battery stapl"), a)).toBe(false);
    expect(await verifyPassword(utf8(""), a)).toBe(false);
  });

  it("refuse unreadable or absurdly expensive stored hashes instead of computing them", async () => {
    expect(await verifyPassword(utf8("x"), "plain-text-password")).toBe(false);
    expect(await verifyPassword(utf8("x"), "$scrypt$ln=40,r=8,p=1$AAAA$AAAA")).toBe(false);
  });

  it("generates 256-bit url-safe passwords", () => {
    const p = generatePassword();
    expect(p).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generatePassword()).not.toBe(p);
  });
});

describe("credential store and authenticator", () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Db;
  let store: CredentialStore;

  beforeEach(() => {
    dir = tempDir("auth");
    db = openDatabase(join(dir.path, "c.db"));
    store = new CredentialStore(db);
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  it("adds, refuses a duplicate unless replacing, lists without hashes, removes", async () => {
    expect(store.anyConfigured()).toBe(false);
    expect(store.add("gw-1", await hashPassword("p1-xxxxxxxxxxxxxxxx", GENERATED_PASSWORD_COST), 0)).toBe(
      true,
    );
    expect(store.add("gw-1", "other", 1)).toBe(false);
    expect(store.add("gw-1", "other", 2, true)).toBe(true);
    expect(store.passwordHash("gw-1")).toBe("other");
    expect(store.anyConfigured()).toBe(true);
    expect(store.list()).toEqual([{ gatewayId: "gw-1", createdAt: "1970-01-01T00:00:00.002Z" }]);
    expect(JSON.stringify(store.list())).not.toContain("other");
    expect(store.remove("gw-1")).toBe(true);
    expect(store.remove("gw-1")).toBe(false);
    expect(store.anyConfigured()).toBe(false);
  });

  it("authenticates, remembers a success, and stops accepting a replaced password", async () => {
    store.add("gw-1", await hashPassword("first-password-xxxxxx", GENERATED_PASSWORD_COST), 0);
    const auth = new GatewayAuthenticator(store);
    const first = await auth.verify("gw-1", utf8("first-password-xxxxxx"));
    expect(first).toBe(store.passwordHash("gw-1"));
    expect(await auth.verify("gw-1", utf8("first-password-xxxxxx"))).toBe(first);
    expect(await auth.verify("gw-1", utf8("wrong"))).toBeNull();
    expect(await auth.verify("gw-2", utf8("first-password-xxxxxx"))).toBeNull();
    store.add("gw-1", await hashPassword("second-password-xxxxx", GENERATED_PASSWORD_COST), 1, true);
    expect(await auth.verify("gw-1", utf8("first-password-xxxxxx"))).toBeNull();
    expect(await auth.verify("gw-1", utf8("second-password-xxxxx"))).toBe(store.passwordHash("gw-1"));
  });
});
