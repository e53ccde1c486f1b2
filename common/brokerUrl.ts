/**
 * Parses the MQTT URLs given to `--broker` and `--listen`, with errors that name the flag.
 */

export interface BrokerUrl {
  protocol: "mqtt" | "mqtts";
  host: string;
  port: number;
}

export function parseBrokerUrl(value: string, flag: string): BrokerUrl {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${flag}: ${JSON.stringify(value)} is not a URL; expected e.g. mqtt://127.0.0.1:1883`);
  }
  const protocol = url.protocol.replace(/:$/, "");
  if (protocol !== "mqtt" && protocol !== "mqtts") {
    throw new Error(`${flag}: scheme ${protocol}: is not supported; use mqtt:// or mqtts://`);
  }
  if (url.username || url.password) {
    throw new Error(`${flag}: do not put credentials in the URL (they would show in process lists)`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!host) throw new Error(`${flag}: ${JSON.stringify(value)} has no host`);
  const port = url.port === "" ? (protocol === "mqtts" ? 8883 : 1883) : Number(url.port);
  return { protocol, host, port };
}

export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
