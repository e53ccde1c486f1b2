import { describe, expect, it } from "vitest";
import { lease } from "../../test/messages.js";
import { LeaseFingerprints } from "./leaseFingerprints.js";
import type { LeaseEvent } from "./spoolReader.js";

const event = (overrides: Partial<LeaseEvent>): LeaseEvent =>
  ({
    action: "add",
    server: "dnsmasq",
    mac: "d2:5f:3a:91:0c:7e",
    ip: "192.168.1.142",
    hostname: "Pixel-7",
    vendorClass: "android-dhcp-13",
    requestedOptions: [1, 3, 6, 15, 26, 28, 51, 58, 59, 43],
    clientId: null,
    interface: "br-lan",
    expiresAt: null,
    ...overrides,
  }) as LeaseEvent;

describe("LeaseFingerprints", () => {
  it("adds the hook's vendor class and request list to the client's lease, and forgets them on release", () => {
    const prints = new LeaseFingerprints();
    prints.record(event({}));
    prints.record(event({ action: "old", vendorClass: null, requestedOptions: [] }));
    expect(prints.enrich([lease(), lease({ mac: "00:11:22:33:44:55", ip: "192.168.1.9" })])).toEqual([
      lease({ vendorClass: "android-dhcp-13", requestedOptions: [1, 3, 6, 15, 26, 28, 51, 58, 59, 43] }),
      lease({ mac: "00:11:22:33:44:55", ip: "192.168.1.9" }),
    ]);
    prints.record(event({ action: "del" }));
    expect(prints.enrich([lease()])).toEqual([lease()]);
  });
});
