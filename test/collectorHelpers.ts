/**
 * Helpers for the collector's tests: free loopback ports, real tools that may be missing
 * (skipped locally, a failure under CI=true), test certificates made with the openssl CLI,
 * and a real Mosquitto on an ephemeral loopback port.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { createServer as createTlsServer, type Server as TlsServer } from "node:tls";
import { connect, type IClientOptions } from "mqtt";
import { describe, it } from "vitest";
import { freePort, waitForPort } from "../common/loopbackPorts.js";

export function toolAvailable(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/**
 * Whether tests needing `command` can run. Missing locally: they are skipped. Missing under
 * CI=true: a failing test says so, because CI installs it and a skip would hide a broken setup.
 */
export function requireTool(command: string): boolean {
  const available = toolAvailable(command);
  if (!available && process.env.CI === "true") {
    describe(`${command} (required under CI)`, () => {
      it(`${command} is installed`, () => {
        throw new Error(`${command} is not installed; .ci/install-packages should have installed it`);
      });
    });
  }
  return available;
}

export interface TestCerts {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A CA that signed nothing here: trusting it must fail. */
  otherCa: string;
}

/**
 * An mqtts:// listener on a loopback port that requires a client certificate from the test CA,
 * handing each connection to `handle` (a broker's): what a provider's broker with mTLS looks like.
 */
export async function listenMutualTls(
  certs: TestCerts,
  handle: (socket: Duplex) => void,
): Promise<TlsServer> {
  const server = createTlsServer(
    {
      cert: readFileSync(certs.serverCert),
      key: readFileSync(certs.serverKey),
      ca: readFileSync(certs.ca),
      requestCert: true,
      rejectUnauthorized: true,
    },
    handle,
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

/** A CA, a server certificate for 127.0.0.1/localhost and a client certificate, via the openssl CLI. */
export function makeTestCerts(dir: string): TestCerts {
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const p = (name: string) => join(dir, name);
  const makeCa = (name: string) =>
    run(
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      p(`${name}.key`),
      "-out",
      p(`${name}.crt`),
      "-days",
      "2",
      "-subj",
      `/CN=${name}`,
    );
  makeCa("ca");
  makeCa("other-ca");
  const leaf = (name: string, ext: string) => {
    run(
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      p(`${name}.key`),
      "-out",
      p(`${name}.csr`),
      "-subj",
      `/CN=${name}`,
    );
    writeFileSync(p(`${name}.ext`), ext);
    run(
      "x509",
      "-req",
      "-in",
      p(`${name}.csr`),
      "-CA",
      p("ca.crt"),
      "-CAkey",
      p("ca.key"),
      "-CAcreateserial",
      "-out",
      p(`${name}.crt`),
      "-days",
      "2",
      "-extfile",
      p(`${name}.ext`),
    );
  };
  leaf("server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  leaf("client", "extendedKeyUsage=clientAuth\n");
  return {
    ca: p("ca.crt"),
    serverCert: p("server.crt"),
    serverKey: p("server.key"),
    clientCert: p("client.crt"),
    clientKey: p("client.key"),
    otherCa: p("other-ca.crt"),
  };
}

export interface Mosquitto {
  port: number;
  process: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** A real Mosquitto on an ephemeral loopback port, with persistence in `dir`; `extraConfig` is appended. */
export async function startMosquitto(
  dir: string,
  extraConfig = "allow_anonymous true\n",
): Promise<Mosquitto> {
  const port = await freePort();
  const conf = join(dir, "mosquitto.conf");
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      // Started as root, Mosquitto would drop to user mosquitto and could not write into our temp dir.
      "user root",
      "persistence true",
      `persistence_location ${dir}/`,
      "max_queued_messages 100000",
      "max_inflight_messages 100",
      extraConfig,
    ].join("\n"),
  );
  const child = spawn("mosquitto", ["-c", conf], { stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  try {
    await waitForPort(port);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${(error as Error).message}; mosquitto said: ${output}`);
  }
  return {
    port,
    process: child,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Connects once (no retries) and says how it went: "connected", the error (a CONNACK refusal,
 * a TLS failure), or "closed" when the server hung up without a CONNACK.
 */
export function connectOutcome(url: string, options: IClientOptions): Promise<string> {
  return new Promise((resolve) => {
    const client = connect(url, { protocolVersion: 4, connectTimeout: 3000, ...options, reconnectPeriod: 0 });
    const finish = (outcome: string) => {
      client.end(true);
      resolve(outcome);
    };
    client.once("connect", () => finish("connected"));
    client.once("error", (error) => finish(error.message));
    client.once("close", () => finish("closed"));
  });
}
