/**
 * Commands in external-broker mode against a real Mosquitto with the ACL deploy/README.md
 * documents: the collector publishes the command through its own connection, the gateway (a real
 * mqtt.js client) receives it on its command topic and measures against the collector's test
 * server, and its result comes back through Mosquitto. The ACL keeps other gateways off the
 * command topic, and the collector skips its own commands coming back on its wildcard.
 * Skipped when Mosquitto is missing, except under CI=true where that is a failure.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { connectAsync } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../common/logger.js";
import { commandTopicFor } from "../../protocol/index.js";
import { type Mosquitto, requireTool, startMosquitto } from "../../test/collectorHelpers.js";
import { startTestGateway, type TestGateway } from "../../test/commandGateway.js";
import { tempDir, waitFor } from "../../test/helpers.js";
import { TokenStore } from "../api/tokenStore.js";
import { type ExternalCollector, startCollector } from "../runCollector.js";
import { speedTestOf } from "../store/speedTestState.js";

const hasMosquitto = requireTool("mosquitto");

/** The ACL of deploy/README.md, for a collector logging in as `leaseline-collector`. */
const ACL = `user leaseline-collector
topic read leaseline/v1/#
topic write leaseline/v1/+/cmd

pattern write leaseline/v1/%u/state
pattern write leaseline/v1/%u/snapshot
pattern write leaseline/v1/%u/speedtest
pattern read leaseline/v1/%u/cmd
`;

describe.skipIf(!hasMosquitto)("external broker: commands through Mosquitto", () => {
  const dir = tempDir("mosquitto-commands");
  let mosquitto: Mosquitto;
  let collector: ExternalCollector;
  let brokerUrl: string;
  let api: string;
  let token: string;
  const gateways: TestGateway[] = [];
  const call = async (method: "GET" | "POST", path: string) => {
    const response = await fetch(`${api}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    const acl = join(dir.path, "acl");
    writeFileSync(acl, ACL);
    mosquitto = await startMosquitto(dir.path, `allow_anonymous true\nacl_file ${acl}\n`);
    brokerUrl = `mqtt://127.0.0.1:${mosquitto.port}`;
    collector = await startCollector({
      db: join(dir.path, "c.db"),
      listen: "unused",
      external: { url: brokerUrl, clientId: "collector-commands", username: "leaseline-collector" },
      http: { host: "127.0.0.1", port: 0 },
      speedTest: { bounds: { downloadBytes: 1024 * 1024, uploadBytes: 512 * 1024, maxSeconds: 5 } },
      log: silentLogger(),
    });
    await collector.external.ready;
    api = `http://127.0.0.1:${collector.http?.port}/api/v1`;
    token = new TokenStore(collector.store.db).add("support").token;
  });
  afterAll(async () => {
    for (const gw of gateways) await gw.close().catch(() => undefined);
    await collector?.close();
    await mosquitto?.stop();
    dir.remove();
  });

  it("sends a speed test through Mosquitto and stores the result that comes back", async () => {
    const gw = await startTestGateway({ brokerUrl, gatewayId: "gw-1", usernameOnly: true });
    gateways.push(gw);
    await waitFor("gw-1 online", async () => (await call("GET", "/gateways/gw-1")).body.online === true);
    const started = await call("POST", "/gateways/gw-1/speedtest");
    expect(started.status).toBe(202);
    const testId = started.body.testId as string;
    await waitFor(
      "the result stored",
      () => speedTestOf(collector.store.db, "gw-1", testId)?.status === "done",
    );
    expect(gw.commands.map((c) => [c.action, c.id])).toEqual([["speedtest", testId]]);
    expect(speedTestOf(collector.store.db, "gw-1", testId)).toMatchObject({
      downloadBytes: 1024 * 1024,
      uploadBytes: 512 * 1024,
      error: null,
    });
    // The command came back on the collector's own wildcard subscription: skipped, not rejected.
    expect(collector.ingest.metrics.rejected.topic).toBe(0);

    const refreshed = await call("POST", "/gateways/gw-1/refresh");
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.status).toBe("updated");
  });

  it("keeps other gateways off a gateway's command topic", async () => {
    const intruder = await connectAsync(brokerUrl, {
      clientId: "gw-2",
      username: "gw-2",
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    // Mosquitto grants the subscription and checks read access per message: nothing arrives.
    await intruder.subscribeAsync(commandTopicFor("gw-1"), { qos: 1 });
    const heard: string[] = [];
    intruder.on("message", (topic) => heard.push(topic));
    // Published anyway (MQTT 3.1.1: Mosquitto acknowledges and drops it).
    await intruder.publishAsync(
      commandTopicFor("gw-1"),
      JSON.stringify({ v: 1, type: "command", id: "forged", action: "snapshot" }),
      { qos: 1 },
    );
    const gw = gateways[0] as TestGateway;
    const before = gw.commands.length;
    // A real command after the forged one: once gw-1 has it, the forged one would have arrived too.
    expect((await call("POST", "/gateways/gw-1/refresh")).status).toBe(200);
    await waitFor("gw-1 got the real command", () => gw.commands.length > before);
    expect(gw.commands.map((c) => c.id)).not.toContain("forged");
    expect(heard).toEqual([]);
    await intruder.endAsync();
  });

  it("409 once the gateway's last will says it is offline", async () => {
    await gateways[0]?.close();
    await waitFor("gw-1 offline", async () => (await call("GET", "/gateways/gw-1")).body.online === false);
    const refused = await call("POST", "/gateways/gw-1/speedtest");
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(/gw-1 is offline: its last state message said so/);
  });
});
