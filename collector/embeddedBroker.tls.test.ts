/**
 * The embedded broker's TLS listener with certificates made by the openssl CLI: a gateway that
 * trusts the CA connects and is stored; one that does not trust it, or speaks plain MQTT to the
 * TLS port, gets nowhere; with --tls-ca, a client certificate is required as well.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { connectAsync, type IClientOptions } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../common/logger.js";
import { topicFor } from "../protocol/index.js";
import { connectOutcome, makeTestCerts, requireTool, type TestCerts } from "../test/collectorHelpers.js";
import { tempDir } from "../test/helpers.js";
import { snapshot } from "../test/messages.js";
import { type Collector, startCollector } from "./runCollector.js";
import { listGateways } from "./store/queries.js";

const hasOpenssl = requireTool("openssl");

const base: IClientOptions = { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 3000 };

async function fails(url: string, options: IClientOptions): Promise<string> {
  const outcome = await connectOutcome(url, { ...base, ...options });
  if (outcome === "connected") throw new Error("the broker accepted the connection");
  return outcome;
}

describe.skipIf(!hasOpenssl)("embedded broker over TLS", () => {
  const dir = tempDir("broker-tls");
  let certs: TestCerts;
  let tlsOnly: Collector;
  let mutual: Collector;

  beforeAll(async () => {
    certs = makeTestCerts(dir.path);
    const tls = { cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey) };
    tlsOnly = await startCollector({
      db: join(dir.path, "tls.db"),
      listen: "mqtts://127.0.0.1:0",
      tls,
      log: silentLogger(),
    });
    mutual = await startCollector({
      db: join(dir.path, "mtls.db"),
      listen: "mqtts://127.0.0.1:0",
      tls: { ...tls, ca: readFileSync(certs.ca) },
      log: silentLogger(),
    });
  });
  afterAll(async () => {
    await tlsOnly?.close();
    await mutual?.close();
    dir.remove();
  });

  it("stores what a client that trusts the CA publishes", async () => {
    const client = await connectAsync(`mqtts://127.0.0.1:${tlsOnly.broker.port}`, {
      ...base,
      clientId: "gw-tls",
      ca: readFileSync(certs.ca),
    });
    await client.publishAsync(
      topicFor("gw-tls", "snapshot"),
      JSON.stringify(snapshot({ gatewayId: "gw-tls" })),
      {
        qos: 1,
      },
    );
    await client.endAsync();
    expect(listGateways(tlsOnly.store.db).map((g) => g.gatewayId)).toEqual(["gw-tls"]);
  });

  it("refuses a client that does not trust the server's CA, and plain MQTT on the TLS port", async () => {
    const url = `mqtts://127.0.0.1:${tlsOnly.broker.port}`;
    expect(await fails(url, { clientId: "x", ca: readFileSync(certs.otherCa) })).toMatch(/certificate/i);
    expect(await fails(`mqtt://127.0.0.1:${tlsOnly.broker.port}`, { clientId: "x" })).toBeTruthy();
    expect(tlsOnly.broker.refused["tls-handshake"]).toBeGreaterThanOrEqual(1);
  });

  it("with --tls-ca, requires a client certificate from that CA", async () => {
    const url = `mqtts://127.0.0.1:${mutual.broker.port}`;
    const ca = readFileSync(certs.ca);
    expect(await fails(url, { clientId: "x", ca })).toBeTruthy();
    const client = await connectAsync(url, {
      ...base,
      clientId: "gw-mtls",
      ca,
      cert: readFileSync(certs.clientCert),
      key: readFileSync(certs.clientKey),
    });
    expect(client.connected).toBe(true);
    await client.endAsync();
  });
});
