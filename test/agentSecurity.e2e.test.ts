/**
 * The agent's broker security on the wire: the real `leaseline agent` CLI connects over mqtts://
 * to an aedes broker behind a TLS listener that requires a client certificate, with certificates
 * made by the openssl CLI. The broker sees the username and the password read from the password
 * file; the password appears in no log line even at debug level; a broker whose certificate the
 * configured CA did not sign is refused.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Server, TLSSocket } from "node:tls";
import { Aedes } from "aedes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Agent } from "../agent/agent.js";
import { resolveConfig } from "../agent/config/resolveConfig.js";
import { SourceSelection } from "../agent/sources/registry.js";
import { createSystemContext } from "../agent/sources/systemContext.js";
import { listenMutualTls, makeTestCerts, requireTool, type TestCerts } from "./collectorHelpers.js";
import { capturingLogger, requireBuiltCli, runCli, tempDir, waitFor, writeBootId } from "./helpers.js";

const hasOpenssl = requireTool("openssl");
const GATEWAY = "gw-sec";
const PASSWORD = "pw-Zq8!secret";

describe.skipIf(!hasOpenssl)("agent over mqtts:// with a client certificate and a password file", () => {
  const dir = tempDir("agent-tls");
  const root = join(dir.path, "gateway");
  let certs: TestCerts;
  let broker: Aedes;
  let server: Server;
  let port = 0;
  const logins: Array<{ username: string | undefined; password: string | undefined; clientCn: unknown }> = [];
  const published: string[] = [];

  beforeAll(async () => {
    requireBuiltCli();
    certs = makeTestCerts(dir.path);
    writeFileSync(join(dir.path, "password"), `${PASSWORD}\n`, { mode: 0o600 });
    mkdirSync(join(root, "tmp"), { recursive: true });
    writeBootId(root, "9d0e1f2a-0000-4000-8000-000000000001");
    writeFileSync(join(root, "tmp/dhcp.leases"), "0 02:00:00:00:00:01 10.3.0.1 host-1 *\n");
    broker = await Aedes.createBroker({
      authenticate(client, username, password, callback) {
        const socket = client.conn as unknown as TLSSocket;
        logins.push({
          username,
          password: password?.toString(),
          clientCn: socket.getPeerCertificate?.().subject?.CN,
        });
        callback(null, username === GATEWAY && password?.toString() === PASSWORD);
      },
    });
    broker.on("publish", (packet, client) => {
      if (client) published.push(packet.topic);
    });
    server = await listenMutualTls(certs, (socket) => broker.handle(socket));
    port = (server.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await new Promise<void>((resolve) => broker?.close(() => resolve()));
    dir.remove();
  });

  const flags = (ca: string) => ({
    gatewayId: GATEWAY,
    broker: `mqtts://127.0.0.1:${port}`,
    caFile: ca,
    certFile: certs.clientCert,
    keyFile: certs.clientKey,
    username: GATEWAY,
    passwordFile: join(dir.path, "password"),
    root,
    sources: "dnsmasq",
    stateDir: join(dir.path, "state"),
  });

  it("connects with the CA, the client certificate and the password file; the password is never logged", async () => {
    const args = Object.entries(flags(certs.ca)).flatMap(([key, value]) => [
      `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
      value,
    ]);
    const result = await runCli(["agent", ...args, "--once", "--log-level", "trace"]);
    expect(result.code).toBe(0);
    expect(logins.at(-1)).toEqual({ username: GATEWAY, password: PASSWORD, clientCn: "client" });
    expect(published).toContain(`leaseline/v1/${GATEWAY}/snapshot`);
    expect(result.stderr).toContain("connected to broker");
    expect(result.stderr).not.toContain(PASSWORD);
  });

  it("refuses a broker whose certificate the configured CA did not sign", async () => {
    const { config } = resolveConfig(
      { ...flags(certs.otherCa), stateDir: join(dir.path, "state-other") },
      {},
    );
    const logs = capturingLogger();
    const before = logins.length;
    const agent = new Agent({
      gatewayId: GATEWAY,
      ctx: createSystemContext({ root, commandTimeoutMs: 1000 }),
      sources: new SourceSelection(["dnsmasq"], {}),
      bootIdFile: "/proc/sys/kernel/random/boot_id",
      log: logs.log,
      version: "test",
      stateDir: config.stateDir,
      broker: config.broker,
      intervalMs: 60_000,
      ...(config.security ? { security: config.security } : {}),
      reconnect: { baseMs: 50, capMs: 100 },
    });
    try {
      await agent.start();
      const tlsError = () =>
        logs
          .lines()
          .find((l) => l.msg === "broker connection error" && /certificate|self.signed/i.test(String(l.err)));
      await waitFor("a certificate error", tlsError, 5000);
      expect(agent.publisher?.connected).toBe(false);
      expect(logins.length).toBe(before);
      expect(JSON.stringify(logs.lines())).not.toContain(PASSWORD);
    } finally {
      await agent.stop();
    }
  });
});
