import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir } from "../../test/helpers.js";
import { lease, snapshot, state } from "../../test/messages.js";
import { listGateways } from "./queries.js";
import { SqliteStore } from "./sqliteStore.js";
import { storedLeases } from "./testSupport.js";

const T0 = 1_800_000_000_000;

describe("SqliteStore lifetime rules", () => {
  let dir: ReturnType<typeof tempDir>;
  let store: SqliteStore;
  let file: string;

  beforeEach(() => {
    dir = tempDir("store");
    file = join(dir.path, "c.db");
    store = new SqliteStore(file);
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  const ips = () => storedLeases(store.db, "gw-1").map((d) => d.ip);

  it("stores leases and converts expiry with the gateway's own clock (router at 1970)", () => {
    const gatewayNow = 10_000; // the router booted at the epoch and has no NTP yet
    const [result] = store.applyBatch([
      {
        receivedAt: T0,
        message: snapshot({ collectedAt: gatewayNow, leases: [lease({ expiresAt: gatewayNow + 600_000 })] }),
      },
    ]);
    expect(result?.outcome).toBe("stored");
    expect(storedLeases(store.db, "gw-1")[0]?.expiresAt).toBe(new Date(T0 + 600_000).toISOString());
  });

  it("rule 1: deletes a lease when its expiry passes, at the sweep", () => {
    store.applyBatch([
      {
        receivedAt: T0,
        message: snapshot({
          leases: [
            lease({ expiresAt: 1_700_000_060_000 }),
            lease({ ip: "192.168.1.2", mac: "b8:27:eb:12:34:56" }),
          ],
        }),
      },
    ]);
    expect(store.sweepExpired(T0 + 59_000)).toBe(0);
    expect(store.sweepExpired(T0 + 60_000)).toBe(1);
    expect(ips()).toEqual(["192.168.1.2"]);
  });

  it("rule 1: does not store a lease that has already expired on arrival", () => {
    store.applyBatch([
      { receivedAt: T0, message: snapshot({ leases: [lease({ expiresAt: 1_699_999_999_000 })] }) },
    ]);
    expect(ips()).toEqual([]);
  });

  it("rule 2: a lease missing from a later snapshot of the same boot is deleted", () => {
    const both = [lease(), lease({ ip: "192.168.1.2", mac: "b8:27:eb:12:34:56" })];
    store.applyBatch([{ receivedAt: T0, message: snapshot({ seq: 1, leases: both }) }]);
    const [r] = store.applyBatch([
      { receivedAt: T0 + 1000, message: snapshot({ seq: 2, leases: [lease()] }) },
    ]);
    expect(r?.deleted.released).toBe(1);
    expect(ips()).toEqual(["192.168.1.142"]);
  });

  it("rule 3: a new boot id deletes everything of the old boot before storing the new", () => {
    store.applyBatch([{ receivedAt: T0, message: snapshot({ seq: 5, leases: [lease()] }) }]);
    const [r] = store.applyBatch([
      {
        receivedAt: T0 + 1000,
        message: snapshot({
          bootId: "boot-b",
          seq: 0,
          leases: [lease({ ip: "192.168.1.9", mac: "00:11:22:33:44:55" })],
        }),
      },
    ]);
    expect(r?.deleted.reset).toBe(1);
    expect(ips()).toEqual(["192.168.1.9"]);
    expect(listGateways(store.db)[0]?.bootId).toBe("boot-b");
    expect(listGateways(store.db)[0]?.lastReboot).toBe(new Date(T0 + 1000).toISOString());
  });

  it("a late message from a retired boot cannot bring its data back", () => {
    store.applyBatch([{ receivedAt: T0, message: snapshot({ seq: 5, leases: [lease()] }) }]);
    store.applyBatch([{ receivedAt: T0 + 1000, message: snapshot({ bootId: "boot-b", seq: 0 }) }]);
    const [late] = store.applyBatch([
      { receivedAt: T0 + 2000, message: snapshot({ seq: 6, leases: [lease()] }) },
    ]);
    expect(late?.outcome).toBe("retired-boot");
    expect(ips()).toEqual([]);
    expect(listGateways(store.db)[0]?.bootId).toBe("boot-b");
  });

  it("duplicates and older sequence numbers change nothing", () => {
    store.applyBatch([{ receivedAt: T0, message: snapshot({ seq: 7, leases: [lease()] }) }]);
    const results = store.applyBatch([
      { receivedAt: T0 + 1, message: snapshot({ seq: 7, leases: [] }) },
      { receivedAt: T0 + 2, message: snapshot({ seq: 3, leases: [] }) },
    ]);
    expect(results.map((r) => r.outcome)).toEqual(["duplicate", "duplicate"]);
    expect(ips()).toEqual(["192.168.1.142"]);
  });

  it("writes nothing for an unchanged lease, and notices a renewal", () => {
    store.applyBatch([
      { receivedAt: T0, message: snapshot({ seq: 1, leases: [lease({ expiresAt: 1_700_000_600_000 })] }) },
    ]);
    const [same] = store.applyBatch([
      {
        receivedAt: T0 + 30_000,
        message: snapshot({
          seq: 2,
          collectedAt: 1_700_000_030_000,
          leases: [lease({ expiresAt: 1_700_000_600_000 })],
        }),
      },
    ]);
    expect(same?.written).toBe(0);
    const [renewed] = store.applyBatch([
      {
        receivedAt: T0 + 60_000,
        message: snapshot({
          seq: 3,
          collectedAt: 1_700_000_060_000,
          leases: [lease({ expiresAt: 1_700_000_900_000 })],
        }),
      },
    ]);
    expect(renewed?.written).toBe(1);
  });

  it("an address taken over by another device ends the first device's lease", () => {
    store.applyBatch([{ receivedAt: T0, message: snapshot({ seq: 1, leases: [lease()] }) }]);
    const [r] = store.applyBatch([
      {
        receivedAt: T0 + 1,
        message: snapshot({ seq: 2, leases: [lease({ mac: "00:11:22:33:44:55", hostname: "tv" })] }),
      },
    ]);
    expect(r?.deleted.released).toBe(1);
    expect(storedLeases(store.db, "gw-1")[0]).toMatchObject({ mac: "00:11:22:33:44:55", hostname: "tv" });
  });

  it("an offline will from an older connection does not override a newer online state", () => {
    store.applyBatch([
      { receivedAt: T0, message: state({ seq: 10, online: true }) },
      { receivedAt: T0 + 1, message: state({ seq: 3, online: false }) },
    ]);
    expect(listGateways(store.db)[0]?.online).toBe(true);
    store.applyBatch([{ receivedAt: T0 + 2, message: state({ seq: 11, online: false }) }]);
    expect(listGateways(store.db)[0]?.online).toBe(false);
  });

  it("rule 4: after deletion and the sweep's checkpoint, no MAC or hostname bytes remain on disk", () => {
    const secret = lease({
      mac: "ae:11:22:33:44:55",
      hostname: "Secret-Phone-xyzzy",
      expiresAt: 1_700_000_060_000,
    });
    const released = lease({
      ip: "192.168.1.50",
      mac: "ae:66:77:88:99:00",
      hostname: "Released-Laptop-plugh",
    });
    store.applyBatch([{ receivedAt: T0, message: snapshot({ seq: 1, leases: [secret, released] }) }]);
    store.applyBatch([
      {
        receivedAt: T0 + 1000,
        message: snapshot({ seq: 2, collectedAt: 1_700_000_001_000, leases: [secret] }),
      },
    ]);
    store.sweepExpired(T0 + 61_000);
    expect(ips()).toEqual([]);
    for (const suffix of ["", "-wal"]) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file + suffix);
      } catch {
        continue;
      }
      for (const needle of [
        "Secret-Phone-xyzzy",
        "Released-Laptop-plugh",
        "ae:11:22:33:44:55",
        "ae:66:77:88:99:00",
      ]) {
        expect(bytes.includes(needle), `${needle} found in ${file + suffix}`).toBe(false);
      }
    }
  });

  it("router-data maximum age: a gateway silent too long goes with everything about it", () => {
    store.applyBatch([
      { receivedAt: T0, message: snapshot({ seq: 1, leases: [lease()] }) },
      { receivedAt: T0 + 1, message: snapshot({ bootId: "boot-b", seq: 1, leases: [lease()] }) },
      {
        receivedAt: T0 + 10_000,
        message: snapshot({ gatewayId: "gw-2", seq: 1, leases: [lease({ ip: "10.0.0.2" })] }),
      },
    ]);
    expect(store.deleteSilentGateways(T0)).toEqual({ gateways: 0, leases: 0, historyRows: 0 });
    expect(store.deleteSilentGateways(T0 + 1)).toEqual({ gateways: 1, leases: 1, historyRows: 0 });
    expect(listGateways(store.db).map((g) => g.gatewayId)).toEqual(["gw-2"]);
    expect(store.db.prepare("SELECT count(*) AS n FROM retired_boots").get()).toEqual({ n: 0 });
    expect(store.stats()).toEqual({ gateways: 1, gatewaysOnline: 0, leases: 1 });
  });
});
