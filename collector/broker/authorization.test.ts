import { describe, expect, it } from "vitest";
import { MESSAGE_KINDS, topicFor } from "../../protocol/index.js";
import { gatewayConnectRefusal, isCommandTopic, publishRefusal, subscribeRefusal } from "./authorization.js";

const gw = { kind: "gateway", gatewayId: "gw-1" } as const;
const anonymous = { kind: "anonymous" } as const;

describe("authorization rules", () => {
  it("a gateway publishes only its own message kinds", () => {
    for (const kind of MESSAGE_KINDS) expect(publishRefusal(gw, topicFor("gw-1", kind)), kind).toBeNull();
    expect(publishRefusal(gw, "leaseline/v1/gw-1/snapshot")).toBeNull();
    expect(publishRefusal(gw, "leaseline/v1/gw-1/anything")).toMatch(/only its message kinds/);
    expect(publishRefusal(gw, "leaseline/v1/gw-1/snapshot/deeper")).not.toBeNull();
    expect(publishRefusal(gw, "leaseline/v1/gw-2/snapshot")).toMatch(
      /only its message kinds under leaseline\/v1\/gw-1\//,
    );
    // A gateway id that is a prefix of another must not reach the other's topics.
    expect(publishRefusal(gw, "leaseline/v1/gw-10/snapshot")).not.toBeNull();
    expect(publishRefusal(gw, "leaseline/v1/gw-1")).not.toBeNull();
    expect(publishRefusal(gw, "other/topic")).not.toBeNull();
  });

  it("nobody publishes to $ topics or with wildcards", () => {
    for (const identity of [gw, anonymous]) {
      expect(publishRefusal(identity, "$SYS/broker/x")).toMatch(/reserved/);
      expect(publishRefusal(identity, "leaseline/v1/gw-1/#")).toMatch(/wildcards/);
      expect(publishRefusal(identity, "leaseline/v1/+/snapshot")).toMatch(/wildcards/);
    }
    expect(publishRefusal(anonymous, "leaseline/v1/gw-2/snapshot")).toBeNull();
  });

  it("nobody publishes to a command topic: not its own, not another's, not anonymously", () => {
    for (const topic of ["leaseline/v1/gw-1/cmd", "leaseline/v1/gw-2/cmd"]) {
      expect(isCommandTopic(topic)).toBe(true);
      expect(publishRefusal(gw, topic), topic).toMatch(/only by the collector/);
      expect(publishRefusal(anonymous, topic), topic).toMatch(/only by the collector/);
    }
    expect(isCommandTopic("leaseline/v1/gw-1/cmd/x")).toBe(false);
    expect(isCommandTopic("other/v1/gw-1/cmd")).toBe(false);
    // The will is checked with the same rule at CONNECT.
    expect(
      gatewayConnectRefusal({ clientId: "gw-1", username: "gw-1", willTopic: "leaseline/v1/gw-1/cmd" }),
    ).toMatch(/last will refused: command topics/);
  });

  it("a gateway subscribes only inside its own subtree, its command topic included", () => {
    expect(subscribeRefusal(gw, "leaseline/v1/gw-1/cmd")).toBeNull();
    expect(subscribeRefusal(gw, "leaseline/v1/gw-1/#")).toBeNull();
    for (const filter of ["#", "+/#", "leaseline/#", "leaseline/v1/+/cmd", "leaseline/v1/gw-2/cmd", "$SYS/#"])
      expect(subscribeRefusal(gw, filter), filter).not.toBeNull();
    expect(subscribeRefusal(gw, "$share/g/leaseline/v1/gw-1/cmd")).not.toBeNull();
    expect(subscribeRefusal(anonymous, "#")).toBeNull();
  });

  it("a gateway's client id is its username, and its will stays in its subtree", () => {
    const ok = { clientId: "gw-1", username: "gw-1", willTopic: "leaseline/v1/gw-1/state" };
    expect(gatewayConnectRefusal(ok)).toBeNull();
    expect(gatewayConnectRefusal({ ...ok, willTopic: undefined })).toBeNull();
    expect(gatewayConnectRefusal({ ...ok, clientId: "gw-2" })).toMatch(/client id must equal/);
    expect(gatewayConnectRefusal({ ...ok, username: undefined })).toMatch(/username/);
    expect(gatewayConnectRefusal({ ...ok, clientId: "a/b", username: "a/b" })).toMatch(
      /not a valid gateway id/,
    );
    expect(gatewayConnectRefusal({ ...ok, willTopic: "leaseline/v1/gw-2/state" })).toMatch(
      /last will refused/,
    );
  });
});
