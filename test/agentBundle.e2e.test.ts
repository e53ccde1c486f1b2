/**
 * The gateway build as deployed: `npm run build:agent` (deploy/buildAgent.mjs) makes the single
 * file, which then runs with the Node flags of the deploy/ service files and publishes a snapshot
 * to a real aedes broker over mqtt:// and over mqtts:// (a TLS listener requiring a client
 * certificate). The WebSocket transport the build replaces with a stub is not in the file, and
 * the service files run node with exactly the flags the benchmarks measure (bench/deployNodeFlags.ts).
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { join } from "node:path";
import type { Server as TlsServer } from "node:tls";
import { Aedes } from "aedes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEPLOY_ENV, DEPLOY_NODE_FLAGS } from "../bench/deployNodeFlags.js";
import { listenMutualTls, makeTestCerts, requireTool } from "./collectorHelpers.js";
import { type CliResult, tempDir, writeBootId } from "./helpers.js";

const REPO = join(import.meta.dirname, "..");
const BUNDLE = join(REPO, "dist", "leaseline-agent.mjs");
const GATEWAY = "gw-bundle";
const hasOpenssl = requireTool("openssl");

/** Runs the bundle as the service files do: node, the deploy flags, the file. */
function runBundle(args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...DEPLOY_NODE_FLAGS, BUNDLE, ...args],
      { timeout: 20_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...DEPLOY_ENV } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The node flags in a service file's command line: what follows the node binary up to the bundle. */
function flagsIn(file: string, line: RegExp): string[] {
  const text = readFileSync(join(REPO, file), "utf8").replace(/\\\n\s*/g, " ");
  const command = line.exec(text)?.[1];
  if (command === undefined) throw new Error(`no node command line in ${file}`);
  return command.split(/\s+/).filter((word) => word.startsWith("--"));
}

describe("the single-file gateway agent", () => {
  const dir = tempDir("agent-bundle");
  const root = join(dir.path, "gateway");
  let broker: Aedes;
  let tcp: TcpServer;
  let tls: TlsServer | undefined;
  const published: string[] = [];
  const port = (server: TcpServer | TlsServer) => (server.address() as { port: number }).port;
  const common = (state: string) => [
    ...["--gateway-id", GATEWAY, "--root", root, "--sources", "dnsmasq"],
    ...["--state-dir", join(dir.path, state), "--once"],
  ];

  beforeAll(async () => {
    execFileSync(process.execPath, [join(REPO, "deploy", "buildAgent.mjs")], { stdio: "pipe" });
    mkdirSync(join(root, "tmp"), { recursive: true });
    writeBootId(root, "9d0e1f2a-0000-4000-8000-000000000002");
    writeFileSync(join(root, "tmp/dhcp.leases"), "0 02:00:00:00:00:01 10.3.0.1 host-1 *\n");
    broker = await Aedes.createBroker();
    broker.on("publish", (packet, client) => {
      if (client) published.push(packet.topic);
    });
    tcp = createTcpServer((socket) => broker.handle(socket));
    await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
    if (hasOpenssl) {
      const certs = makeTestCerts(dir.path);
      tls = await listenMutualTls(certs, (socket) => broker.handle(socket));
    }
  }, 60_000);

  afterAll(async () => {
    await new Promise<void>((resolve) => tcp?.close(() => resolve()));
    await new Promise<void>((resolve) => (tls ? tls.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => broker?.close(() => resolve()));
    dir.remove();
  });

  it("publishes a snapshot over mqtt:// with the deploy flags", async () => {
    published.length = 0;
    const result = await runBundle([...common("state-tcp"), "--broker", `mqtt://127.0.0.1:${port(tcp)}`]);
    expect(result.stderr).toContain("connected to broker");
    expect(result.code).toBe(0);
    expect(published).toContain(`leaseline/v1/${GATEWAY}/snapshot`);
  });

  it.skipIf(!hasOpenssl)("publishes a snapshot over mqtts:// with a client certificate", async () => {
    published.length = 0;
    const result = await runBundle([
      ...common("state-tls"),
      ...["--broker", `mqtts://127.0.0.1:${port(tls as TlsServer)}`],
      ...["--ca-file", join(dir.path, "ca.crt")],
      ...["--cert-file", join(dir.path, "client.crt"), "--key-file", join(dir.path, "client.key")],
    ]);
    expect(result.stderr).toContain("connected to broker");
    expect(result.code).toBe(0);
    expect(published).toContain(`leaseline/v1/${GATEWAY}/snapshot`);
  });

  it("carries no WebSocket transport, and refuses a ws:// broker before connecting", async () => {
    const bundle = readFileSync(BUNDLE, "utf8");
    expect(bundle).not.toContain("258EAFA5-E914-47DA-95CA-C5AB0DC85B11"); // the WebSocket GUID, in ws
    expect(bundle).toContain("MQTT over WebSocket (ws://, wss://) is not in the gateway build");
    const result = await runBundle([...common("state-ws"), "--broker", `ws://127.0.0.1:${port(tcp)}`]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("use mqtt:// or mqtts://");
  });

  it("the deploy service files run node with the flags and environment the benchmarks measure", () => {
    expect(flagsIn("deploy/leaseline-agent.service", /^ExecStart=\/usr\/bin\/node (.*?) \S+\.mjs/m)).toEqual([
      ...DEPLOY_NODE_FLAGS,
    ]);
    const unit = readFileSync(join(REPO, "deploy/leaseline-agent.service"), "utf8");
    for (const [key, value] of Object.entries(DEPLOY_ENV))
      expect(unit).toContain(`\nEnvironment=${key}=${value}\n`);
    expect(
      flagsIn("deploy/openwrt/leaseline-agent.init", /procd_set_param command "\$NODE" (.*?) "\$AGENT"/),
    ).toEqual([...DEPLOY_NODE_FLAGS]);
  });
});
