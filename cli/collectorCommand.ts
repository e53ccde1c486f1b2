/**
 * `leaseline collector`: the embedded broker (or a subscription to an external broker), ingest
 * into SQLite, the lifetime sweep and /metrics; and `leaseline collector gateways add|remove|list`
 * for the gateway credentials the embedded broker checks.
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { Command, InvalidArgumentError } from "commander";
import { parseValue } from "../agent/config/parseValue.js";
import { tokensCommand } from "../collector/api/tokensCommand.js";
import { CredentialStore } from "../collector/auth/credentialStore.js";
import {
  CHOSEN_PASSWORD_COST,
  GENERATED_PASSWORD_COST,
  generatePassword,
  hashPassword,
} from "../collector/auth/passwordHash.js";
import { PUBLISH_RATE_PER_SECOND } from "../collector/broker/limits.js";
import {
  DEFAULT_SPEEDTEST_BOUNDS,
  parseSpeedTestUrl,
  SPEEDTEST_PATH,
} from "../collector/commands/speedTestConfig.js";
import type { TlsFiles } from "../collector/embeddedBroker.js";
import { DEFAULT_HTTP_LISTEN, parseHttpListen } from "../collector/http/httpServer.js";
import { type Collector, type ExternalCollector, startCollector } from "../collector/runCollector.js";
import { openDatabase } from "../collector/store/openDatabase.js";
import { parseBrokerUrl } from "../common/brokerUrl.js";
import { createLogger } from "../common/logger.js";
import { isValidGatewayId, MAX_SPEEDTEST_BYTES, MAX_SPEEDTEST_SECONDS } from "../protocol/index.js";
import { formatTable } from "./formatTable.js";
import { integerOption, numberOption, reportErrors, untilSignal } from "./optionParsers.js";

interface CollectorFlags {
  db: string;
  listen: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  broker?: string;
  shareGroup?: string;
  clientId?: string;
  username?: string;
  passwordFile?: string;
  http: string;
  maxPublishRate: number;
  routerDataMaxAge: number;
  speedtestUrl?: string;
  speedtestDownload: number;
  speedtestUpload: number;
  speedtestSeconds: number;
}

/** A size flag: bytes, or with K/KiB, M/MiB, G/GiB (powers of 1024), as the agent's sizes. */
function sizeOption(max: number): (value: string) => number {
  return (value) => {
    const parsed = parseValue({ type: "bytes", min: 0, max }, value, true);
    if (!parsed.ok) throw new InvalidArgumentError(parsed.problem);
    return parsed.value as number;
  };
}

/** Shortest password accepted from --password-stdin: a person's password below this is guessable. */
const MIN_CHOSEN_PASSWORD_LENGTH = 16;
/** MQTT carries passwords of up to 65,535 bytes; nobody needs more than this. */
const MAX_PASSWORD_LENGTH = 1024;

export function collectorCommand(): Command {
  const collector = new Command("collector")
    .description("receive gateway snapshots, store them in SQLite and delete them when their lease ends")
    .option("--db <file>", "SQLite database file", "leaseline.db")
    .option(
      "--listen <url>",
      "embedded broker address, mqtt:// or mqtts:// (off loopback only once gateway credentials exist)",
      "mqtt://127.0.0.1:1883",
    )
    .option("--tls-cert <file>", "PEM certificate (chain) for an mqtts:// listener; client cert for --broker")
    .option("--tls-key <file>", "PEM private key for --tls-cert")
    .option(
      "--tls-ca <file>",
      "PEM CA: with --listen, clients must present a certificate from it; with --broker, the broker's CA",
    )
    .option("--broker <url>", "subscribe to this external MQTT broker instead of embedding one")
    .option("--share-group <name>", "with --broker: share the stream with other collectors (MQTT 5 $share)")
    .option(
      "--client-id <id>",
      "with --broker: stable MQTT client id, unique per collector (default: from the host name)",
    )
    .option("--username <name>", "with --broker: MQTT username")
    .option("--password-file <file>", "with --broker: file holding the MQTT password")
    .option("--http <host:port|off>", "HTTP address for /metrics, or off", DEFAULT_HTTP_LISTEN)
    .option(
      "--max-publish-rate <n>",
      "embedded broker: publishes per second per client (burst 10x); faster is slowed down, a flood closed",
      integerOption(1, 1_000_000),
      PUBLISH_RATE_PER_SECOND,
    )
    .option(
      "--router-data-max-age <days>",
      "delete a gateway and all its data after this many days without a message",
      numberOption(0.001, 3650),
      30,
    )
    .option(
      "--speedtest-url <url>",
      `speed-test server as gateways reach it (default: http://<--http address>${SPEEDTEST_PATH}; needed when --http listens on 0.0.0.0 or ::)`,
    )
    .option(
      "--speedtest-download <size>",
      "bytes one speed test downloads at most, e.g. 25MiB",
      sizeOption(MAX_SPEEDTEST_BYTES),
      DEFAULT_SPEEDTEST_BOUNDS.downloadBytes,
    )
    .option(
      "--speedtest-upload <size>",
      "bytes one speed test uploads at most, e.g. 10MiB",
      sizeOption(MAX_SPEEDTEST_BYTES),
      DEFAULT_SPEEDTEST_BOUNDS.uploadBytes,
    )
    .option(
      "--speedtest-seconds <s>",
      "seconds each direction of a speed test runs at most",
      numberOption(1, MAX_SPEEDTEST_SECONDS),
      DEFAULT_SPEEDTEST_BOUNDS.maxSeconds,
    )
    .action((flags: CollectorFlags, command: Command) =>
      reportErrors(() => runCollectorCommand(flags, command)),
    );
  collector.addCommand(gatewaysCommand());
  collector.addCommand(tokensCommand());
  return collector;
}

function readFileFlag(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`${flag}: cannot read ${path}: ${(error as Error).message}`);
  }
}

async function runCollectorCommand(flags: CollectorFlags, command: Command): Promise<void> {
  const external = flags.broker !== undefined;
  const errors: string[] = [];
  if (external && command.getOptionValueSource("listen") === "cli")
    errors.push("--listen and --broker exclude each other: embed a broker or use an external one");
  if (!external) {
    for (const [flag, value] of [
      ["--share-group", flags.shareGroup],
      ["--client-id", flags.clientId],
      ["--username", flags.username],
      ["--password-file", flags.passwordFile],
    ] as const) {
      if (value !== undefined) errors.push(`${flag} applies only with --broker`);
    }
  }
  if (flags.passwordFile !== undefined && flags.username === undefined)
    errors.push("--password-file needs --username");
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined))
    errors.push("--tls-cert and --tls-key go together");
  if (errors.length > 0) throw new Error(errors.join("; "));

  const http = parseHttpListen(flags.http);
  const speedtestUrl = flags.speedtestUrl === undefined ? undefined : parseSpeedTestUrl(flags.speedtestUrl);
  const log = createLogger("collector");
  let tls: TlsFiles | undefined;
  if (flags.tlsCert !== undefined && flags.tlsKey !== undefined) {
    tls = {
      cert: readFileFlag(flags.tlsCert, "--tls-cert"),
      key: readFileFlag(flags.tlsKey, "--tls-key"),
      ...(flags.tlsCa !== undefined ? { ca: readFileFlag(flags.tlsCa, "--tls-ca") } : {}),
    };
  }
  const ca = flags.tlsCa !== undefined ? readFileFlag(flags.tlsCa, "--tls-ca") : undefined;
  if (!external && ca && !tls) throw new Error("--tls-ca with --listen needs --tls-cert and --tls-key");

  const common = {
    db: flags.db,
    listen: flags.listen,
    http,
    routerDataMaxAgeMs: flags.routerDataMaxAge * 24 * 3600 * 1000,
    speedTest: {
      ...(speedtestUrl !== undefined ? { url: speedtestUrl } : {}),
      bounds: {
        downloadBytes: flags.speedtestDownload,
        uploadBytes: flags.speedtestUpload,
        maxSeconds: flags.speedtestSeconds,
      },
    },
    log,
  };
  let collector: Collector | ExternalCollector;
  if (external) {
    const url = flags.broker as string;
    parseBrokerUrl(url, "--broker");
    const password =
      flags.passwordFile !== undefined
        ? readFileFlag(flags.passwordFile, "--password-file")
            .toString("utf8")
            .replace(/\r?\n$/, "")
        : undefined;
    collector = await startCollector({
      ...common,
      external: {
        url,
        clientId: flags.clientId ?? `leaseline-collector-${hostname()}`,
        ...(flags.shareGroup !== undefined ? { shareGroup: flags.shareGroup } : {}),
        ...(flags.username !== undefined ? { username: flags.username } : {}),
        ...(password !== undefined ? { password } : {}),
        ...(ca ? { ca } : {}),
        ...(tls ? { cert: tls.cert, key: tls.key } : {}),
      },
    });
  } else {
    collector = await startCollector({
      ...common,
      ...(tls ? { tls } : {}),
      brokerLimits: { publishRatePerSecond: flags.maxPublishRate, publishBurst: flags.maxPublishRate * 10 },
    });
  }
  const signal = await untilSignal();
  log.info({ signal }, "stopping: committing what was received");
  await collector.close();
  const m = collector.ingest.metrics;
  log.info(
    {
      received: m.received,
      stored: m.stored,
      duplicates: m.duplicates,
      retiredBoot: m.retiredBoot,
      rejected: Object.values(m.rejected).reduce((a, b) => a + b, 0),
      commitFailures: m.commitFailures,
    },
    "stopped",
  );
}

function gatewaysCommand(): Command {
  const gateways = new Command("gateways").description(
    "gateway credentials for the embedded broker (username = client id = gateway id); uses collector's --db",
  );
  const dbOf = (command: Command): string => (command.optsWithGlobals() as { db: string }).db;

  gateways
    .command("add")
    .description("create a gateway's credential and print its generated password once")
    .argument("<gateway>", "gateway id")
    .option(
      "--password-stdin",
      `read the password from standard input (at least ${MIN_CHOSEN_PASSWORD_LENGTH} characters)`,
    )
    .option("--replace", "replace an existing credential (the gateway must then use the new password)")
    .action((gatewayId: string, flags: { passwordStdin?: boolean; replace?: boolean }, command: Command) =>
      reportErrors(async () => {
        if (!isValidGatewayId(gatewayId))
          throw new Error(
            `${JSON.stringify(gatewayId)} is not a valid gateway id (1-64 of A-Z a-z 0-9 . _ : -)`,
          );
        let password: string;
        let cost = GENERATED_PASSWORD_COST;
        if (flags.passwordStdin) {
          password = (await readStdin()).replace(/\r?\n$/, "");
          cost = CHOSEN_PASSWORD_COST;
          if (password.length < MIN_CHOSEN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH)
            throw new Error(
              `--password-stdin: the password must have ${MIN_CHOSEN_PASSWORD_LENGTH}-${MAX_PASSWORD_LENGTH} characters`,
            );
        } else {
          password = generatePassword();
        }
        const hash = await hashPassword(password, cost);
        const db = openDatabase(dbOf(command));
        try {
          if (!new CredentialStore(db).add(gatewayId, hash, Date.now(), flags.replace ?? false))
            throw new Error(`${gatewayId} already has a credential; remove it first or use --replace`);
        } finally {
          db.close();
        }
        if (flags.passwordStdin) {
          process.stderr.write(`credential for ${gatewayId} stored\n`);
        } else {
          process.stderr.write(`credential for ${gatewayId} stored; its password, shown only now:\n`);
          process.stdout.write(`${password}\n`);
        }
      }),
    );

  gateways
    .command("remove")
    .description("delete a gateway's credential; a connected gateway is disconnected within seconds")
    .argument("<gateway>", "gateway id")
    .action((gatewayId: string, _flags: object, command: Command) =>
      reportErrors(async () => {
        const db = openDatabase(dbOf(command));
        try {
          if (!new CredentialStore(db).remove(gatewayId))
            throw new Error(`${gatewayId} has no credential in ${dbOf(command)}`);
        } finally {
          db.close();
        }
        process.stderr.write(`credential for ${gatewayId} removed\n`);
      }),
    );

  gateways
    .command("list")
    .description("gateways that have a credential (never the passwords or their hashes)")
    .option("--json", "JSON for tools instead of a table")
    .action((flags: { json?: boolean }, command: Command) =>
      reportErrors(async () => {
        const db = openDatabase(dbOf(command));
        try {
          const rows = new CredentialStore(db).list();
          process.stdout.write(
            flags.json ? `${JSON.stringify(rows, null, 2)}\n` : formatTable(rows, ["gatewayId", "createdAt"]),
          );
        } finally {
          db.close();
        }
      }),
    );
  return gateways;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size > MAX_PASSWORD_LENGTH + 2) break;
  }
  return Buffer.concat(chunks).toString("utf8");
}
