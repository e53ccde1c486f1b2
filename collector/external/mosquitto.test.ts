/**
 * External-broker mode against a real Mosquitto (Debian package) on an ephemeral loopback port:
 * a collector's persistent session keeps what gateways publish while it is down, and two
 * collector processes in one share group, writing one SQLite file, store every message once.
 * Skipped when Mosquitto is missing, except under CI=true where that is a failure.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { connectAsync, type MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../common/logger.js";
import { freePort } from "../../common/loopbackPorts.js";
import { topicFor } from "../../protocol/index.js";
import { type Mosquitto, requireTool, startMosquitto } from "../../test/collectorHelpers.js";
import { requireBuiltCli, spawnCli, stopProcess, tempDir, waitFor } from "../../test/helpers.js";
import { lease, snapshot } from "../../test/messages.js";
import { type ExternalCollector, startCollector } from "../runCollector.js";
import { listGateways } from "../store/queries.js";
import { storedLeases } from "../store/testSupport.js";

const hasMosquitto = requireTool("mosquitto");

async function gatewayClient(port: number, id: string, auth: { username: string; password: string } | null) {
  return connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId: id,
    protocolVersion: 4,
    reconnectPeriod: 0,
    ...(auth ?? {}),
  });
}

describe.skipIf(!hasMosquitto)("external broker: Mosquitto", () => {
  describe("one collector with a persistent session", () => {
    const dir = tempDir("mosquitto-session");
    let mosquitto: Mosquitto;
    let collector: ExternalCollector | undefined;
    const db = join(dir.path, "c.db");
    const start = async (): Promise<ExternalCollector> => {
      collector = await startCollector({
        db,
        listen: "unused",
        external: { url: `mqtt://127.0.0.1:${mosquitto.port}`, clientId: "collector-test-1" },
        log: silentLogger(),
      });
      await collector.external.ready;
      return collector;
    };

    beforeAll(async () => {
      mosquitto = await startMosquitto(dir.path);
    });
    afterEach(async () => {
      await collector?.close();
      collector = undefined;
    });
    afterAll(async () => {
      await mosquitto?.stop();
      dir.remove();
    });

    it("stores what gateways publish, and on restart what they published while it was down", async () => {
      await start();
      const gw = await gatewayClient(mosquitto.port, "gw-1", null);
      const topic = topicFor("gw-1", "snapshot");
      await gw.publishAsync(topic, JSON.stringify(snapshot({ seq: 1, leases: [lease()] })), { qos: 1 });
      await waitFor("first snapshot stored", () => collector?.ingest.metrics.stored === 1);
      await collector?.close();
      collector = undefined;

      // While the collector is down, Mosquitto queues for its session.
      const later = [lease(), lease({ ip: "192.168.1.7", mac: "00:11:22:33:44:55" })];
      await gw.publishAsync(topic, JSON.stringify(snapshot({ seq: 2, leases: later })), { qos: 1 });
      await gw.endAsync();

      const restarted = await start();
      await waitFor("queued snapshot stored after restart", () => restarted.ingest.metrics.stored === 1);
      const devices = storedLeases(restarted.store.db, "gw-1")
        .map((d) => d.ip)
        .sort();
      expect(devices).toEqual(["192.168.1.142", "192.168.1.7"]);
    });
  });

  describe("two collector processes in one share group, one SQLite file", () => {
    const dir = tempDir("mosquitto-share");
    const db = join(dir.path, "shared.db");
    const passwordFile = join(dir.path, "collector.password");
    let mosquitto: Mosquitto;
    const collectors: Array<ReturnType<typeof spawnCli>> = [];
    const httpPorts: number[] = [];
    const GATEWAYS = 8;
    const MESSAGES = 60;

    const metric = async (port: number, series: string): Promise<number> => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const line = text.split("\n").find((l) => l.startsWith(`${series} `));
      return Number(line?.slice(series.length + 1) ?? Number.NaN);
    };
    const total = async (series: string) =>
      (await Promise.all(httpPorts.map((p) => metric(p, series)))).reduce((a, b) => a + b, 0);

    beforeAll(async () => {
      requireBuiltCli();
      const passwd = join(dir.path, "passwd");
      writeFileSync(passwd, "");
      execFileSync("mosquitto_passwd", ["-b", passwd, "collector", "collector-secret-123456"]);
      execFileSync("mosquitto_passwd", ["-b", passwd, "gateways", "gateway-secret-1234567"]);
      writeFileSync(passwordFile, "collector-secret-123456\n");
      mosquitto = await startMosquitto(dir.path, `allow_anonymous false\npassword_file ${passwd}\n`);
      for (const n of [1, 2]) {
        const http = await freePort();
        httpPorts.push(http);
        collectors.push(
          spawnCli([
            "collector",
            "--db",
            db,
            "--broker",
            `mqtt://127.0.0.1:${mosquitto.port}`,
            "--share-group",
            "leaseline-test",
            "--client-id",
            `collector-${n}`,
            "--username",
            "collector",
            "--password-file",
            passwordFile,
            "--http",
            `127.0.0.1:${http}`,
          ]),
        );
      }
      for (const port of httpPorts) {
        await waitFor(
          "collector subscribed",
          async () => (await metric(port, "leaseline_external_broker_connected").catch(() => 0)) === 1,
        );
      }
    });
    afterAll(async () => {
      for (const c of collectors) await stopProcess(c);
      await mosquitto?.stop();
      dir.remove();
    });

    it(`${GATEWAYS} gateways × ${MESSAGES} messages: each received once, none lost, the last state kept`, async () => {
      const auth = { username: "gateways", password: "gateway-secret-1234567" };
      const clients: MqttClient[] = [];
      for (let g = 0; g < GATEWAYS; g++) clients.push(await gatewayClient(mosquitto.port, `gw-${g}`, auth));
      await Promise.all(
        clients.map(async (client, g) => {
          for (let seq = 1; seq <= MESSAGES; seq++) {
            const message = snapshot({
              gatewayId: `gw-${g}`,
              seq,
              // Each message holds a different lease, so the stored lease tells which snapshot won.
              leases: [lease({ ip: `10.0.${g}.${seq}`, hostname: `seq-${seq}` })],
            });
            await client.publishAsync(topicFor(`gw-${g}`, "snapshot"), JSON.stringify(message), { qos: 1 });
          }
        }),
      );
      await Promise.all(clients.map((c) => c.endAsync()));
      const expected = GATEWAYS * MESSAGES;
      await waitFor(
        "every message committed by one of the collectors",
        async () =>
          (await total("leaseline_messages_stored_total")) +
            (await total("leaseline_messages_duplicate_total")) ===
          expected,
        20_000,
      );
      // Each message was delivered to exactly one collector, once.
      expect(await total("leaseline_messages_received_total")).toBe(expected);
      // Both took part.
      for (const port of httpPorts)
        expect(await metric(port, "leaseline_messages_received_total")).toBeGreaterThan(0);
      expect(await total("leaseline_ingest_commit_failures_total")).toBe(0);

      for (const c of collectors) await stopProcess(c);
      for (const c of collectors) expect(c.exitCode, c.output()).toBe(0);
      const check = new Database(db, { readonly: true });
      try {
        const gateways = listGateways(check);
        expect(gateways.map((g) => g.gatewayId).sort()).toEqual(
          Array.from({ length: GATEWAYS }, (_, g) => `gw-${g}`).sort(),
        );
        const seqs = check.prepare("SELECT gateway_id, last_snapshot_seq FROM gateways").all() as Array<{
          last_snapshot_seq: number;
        }>;
        expect(seqs.every((r) => r.last_snapshot_seq === MESSAGES)).toBe(true);
        for (let g = 0; g < GATEWAYS; g++) {
          expect(storedLeases(check, `gw-${g}`).map((d) => d.hostname)).toEqual([`seq-${MESSAGES}`]);
        }
        expect(check.pragma("integrity_check", { simple: true })).toBe("ok");
      } finally {
        check.close();
      }
    });
  });
});
