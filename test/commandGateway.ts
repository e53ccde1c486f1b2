/**
 * A gateway for the collector's command tests, made of real parts: an mqtt.js client that logs
 * in as the gateway, subscribes to its command topic, validates each command with the protocol's
 * validateCommand, and answers as the agent does: a `snapshot` command with a new snapshot, a
 * `speedtest` command by measuring against the collector's test server with plain fetch and
 * publishing a `speedtest` result.
 */
import { performance } from "node:perf_hooks";
import { connectAsync, type IClientOptions, type MqttClient } from "mqtt";
import {
  type Command,
  commandTopicFor,
  PROTOCOL_VERSION,
  type SpeedTestRequest,
  type SpeedTestResult,
  topicFor,
  validateCommand,
} from "../protocol/index.js";
import { snapshot, state } from "./messages.js";

export interface TestGateway {
  readonly client: MqttClient;
  /** Every valid command received, in order. */
  readonly commands: Command[];
  /** Payloads on the command topic that did not validate. */
  readonly invalid: string[];
  /** Results published so far. */
  readonly results: SpeedTestResult[];
  /** Publishes one more snapshot (as a periodic collection would). */
  publishSnapshot(): Promise<void>;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  brokerUrl: string;
  gatewayId: string;
  bootId?: string;
  /** Log in as the gateway id with this password (embedded broker with credentials). */
  password?: string;
  /** Log in as the gateway id without a password (a test Mosquitto whose ACL uses %u). */
  usernameOnly?: boolean;
  /** false: receive commands but never answer them (a gateway that went quiet). */
  answer?: boolean;
}

async function measure(request: SpeedTestRequest) {
  const headers = { authorization: `Bearer ${request.token}` };
  const rtts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const response = await fetch(`${request.url}/ping`, { headers });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`ping: HTTP ${response.status}`);
    rtts.push(performance.now() - t0);
  }
  rtts.sort((a, b) => a - b);

  const download = await fetch(`${request.url}/download?bytes=${request.downloadBytes}`, { headers });
  if (!download.ok || !download.body) throw new Error(`download: HTTP ${download.status}`);
  const firstByte = performance.now();
  let downloadBytes = 0;
  for await (const chunk of download.body) downloadBytes += (chunk as Uint8Array).byteLength;
  const downloadSeconds = (performance.now() - firstByte) / 1000;

  const t0 = performance.now();
  const upload = await fetch(`${request.url}/upload`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/octet-stream" },
    body: Buffer.alloc(request.uploadBytes, 0x5a),
  });
  const answer = (await upload.json()) as { bytes: number };
  if (!upload.ok) throw new Error(`upload: HTTP ${upload.status}`);
  const uploadSeconds = (performance.now() - t0) / 1000;
  return {
    server: new URL(request.url).host,
    rttMs: rtts[1] as number,
    downloadBytes,
    downloadSeconds,
    downloadBitsPerSecond: (downloadBytes * 8) / downloadSeconds,
    uploadBytes: answer.bytes,
    uploadSeconds,
    uploadBitsPerSecond: (answer.bytes * 8) / uploadSeconds,
  };
}

export async function startTestGateway(options: TestGatewayOptions): Promise<TestGateway> {
  const { gatewayId } = options;
  const bootId = options.bootId ?? "boot-a";
  let seq = 0;
  const envelope = () => ({ gatewayId, bootId, seq: seq++, collectedAt: Date.now() });
  const connectOptions: IClientOptions = {
    clientId: gatewayId,
    protocolVersion: 4,
    reconnectPeriod: 0,
    clean: true,
    ...(options.password !== undefined ? { username: gatewayId, password: options.password } : {}),
    ...(options.usernameOnly ? { username: gatewayId } : {}),
    will: {
      topic: topicFor(gatewayId, "state"),
      payload: Buffer.from(JSON.stringify(state({ gatewayId, bootId, seq: 1, online: false }))),
      qos: 1,
      retain: true,
    },
  };
  const client = await connectAsync(options.brokerUrl, connectOptions);
  const commands: Command[] = [];
  const invalid: string[] = [];
  const results: SpeedTestResult[] = [];
  const publish = (kind: "state" | "snapshot" | "speedtest", message: object, retain = false) =>
    client.publishAsync(topicFor(gatewayId, kind), JSON.stringify(message), { qos: 1, retain });

  const granted = await client.subscribeAsync(commandTopicFor(gatewayId), { qos: 1 });
  if (granted[0]?.qos !== 1) throw new Error(`command subscription refused: ${JSON.stringify(granted)}`);
  await publish("state", state({ gatewayId, bootId, seq: 0, online: true }), true);
  seq = 2;
  const publishSnapshot = async () => {
    await publish("snapshot", snapshot({ ...envelope(), uptimeSeconds: 100 }));
  };
  await publishSnapshot();

  const answerSpeedTest = async (command: Command) => {
    const request = command.speedtest as SpeedTestRequest;
    let result: SpeedTestResult;
    try {
      const m = await measure(request);
      result = {
        v: PROTOCOL_VERSION,
        type: "speedtest",
        ...envelope(),
        testId: command.id,
        ...m,
        error: null,
      };
    } catch (error) {
      result = {
        v: PROTOCOL_VERSION,
        type: "speedtest",
        ...envelope(),
        testId: command.id,
        server: null,
        downloadBitsPerSecond: null,
        uploadBitsPerSecond: null,
        rttMs: null,
        downloadBytes: 0,
        uploadBytes: 0,
        downloadSeconds: null,
        uploadSeconds: null,
        error: (error as Error).message,
      };
    }
    results.push(result);
    await publish("speedtest", result);
  };

  client.on("message", (_topic, payload) => {
    const validation = validateCommand(payload);
    if (!validation.ok) {
      invalid.push(payload.toString());
      return;
    }
    commands.push(validation.command);
    if (options.answer === false) return;
    if (validation.command.action === "snapshot") void publishSnapshot();
    else void answerSpeedTest(validation.command);
  });

  return {
    client,
    commands,
    invalid,
    results,
    publishSnapshot,
    close: () => client.endAsync(true).then(() => undefined),
  };
}
