/**
 * The agent's main loop. Every poll it reads the boot id and the sources a change is made of
 * (leases, Wi-Fi stations); when something support cares about changed, or when the
 * full-snapshot interval has passed, it collects and publishes a full snapshot. Publishing means appending to the on-disk
 * outbox, from which the publisher sends oldest first, so an outage or a restart loses nothing.
 * A changed boot id (the router reset under a running agent, as the simulator does) restarts the
 * sequence and is announced in the state topic. Commands from the collector (commands/) ask for a
 * full snapshot at once, through the same cycle, or run a speed test whose result is numbered
 * and queued like a snapshot.
 */
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { Logger } from "../common/logger.js";
import {
  encodePayload,
  PROTOCOL_VERSION,
  type Snapshot,
  type SourceStatus,
  type SpeedTestResult,
  topicFor,
} from "../protocol/index.js";
import { readBootId } from "./bootId.js";
import { collectChanges } from "./collectChanges.js";
import { collectSnapshot, SourceStatusLog } from "./collectSnapshot.js";
import { CommandHandler } from "./commands/commandHandler.js";
import { LeaseFingerprints } from "./hooks/leaseFingerprints.js";
import { SpoolWatcher } from "./hooks/spoolWatcher.js";
import { MqttPublisher } from "./mqttPublisher.js";
import { MemoryOutbox } from "./outbox/memoryOutbox.js";
import { Outbox, type OutboxQueue } from "./outbox/outbox.js";
import type { BackoffOptions } from "./runtime/backoff.js";
import type { BrokerSecurity } from "./runtime/brokerSecurity.js";
import { ChangeDetector, type ChangeInput, type PublishReason } from "./runtime/changeDetector.js";
import { type AgentHealth, buildHealth } from "./runtime/health.js";
import { SequenceCounter } from "./sequenceCounter.js";
import type { SnmpSource } from "./snmp/snmpSource.js";
import type { Source, SourceContext } from "./sources/source.js";
import type { SpeedTestOutcome } from "./speedtest/runSpeedTest.js";

/** Change checks at most this far apart by default: a new device shows up within seconds. */
export const DEFAULT_POLL_MS = 5000;
/** 8 MiB: hours of 30-second snapshots of a small home (~12 KB each), half an hour of 250 devices (~140 KB). */
export const DEFAULT_OUTBOX_MAX_BYTES = 8 * 1024 * 1024;
/** Shutdown waits this long for the outbox to drain: OpenWrt's procd kills 5 s after SIGTERM. */
export const DEFAULT_SHUTDOWN_FLUSH_MS = 3000;

/** Where the sources come from: the registry's SourceSelection, or a test's own. */
export interface SourceProvider {
  current(ctx: SourceContext): Promise<Source[]>;
  snmpOnly(): SnmpSource | null;
}

export interface AgentOptions {
  gatewayId: string;
  ctx: SourceContext;
  sources: SourceProvider;
  bootIdFile: string;
  log: Logger;
  version: string;
  /** Where the sequence state is kept; null keeps it in memory (`--once --print`). */
  stateDir: string | null;
  broker: string | null;
  /** Longest time between two published snapshots. */
  intervalMs: number;
  /** Time between change checks; default min(5 s, intervalMs). */
  pollMs?: number;
  /** Parent of this gateway's outbox directory; default `<stateDir>/outbox`, or in memory without a stateDir. */
  outboxDir?: string;
  outboxMaxBytes?: number;
  maxInFlight?: number;
  /** Outbox messages per second sustained; default 10 (half the embedded broker's limit). */
  publishRate?: number;
  security?: BrokerSecurity;
  reconnect?: BackoffOptions;
  healthIntervalMs?: number;
  shutdownFlushMs?: number;
  /**
   * The DHCP server hook's spool directory: each lease event triggers a cycle at once (a release
   * reaches the collector in well under a second) and brings the client's fingerprint. Polling
   * the lease file stays the source of truth.
   */
  hookSpoolDir?: string;
  /** --speedtest-url: speed tests go to this test server instead of the one the command names. */
  speedTestUrl?: string;
}

type Unnumbered = Omit<Snapshot, "seq">;
/** Why a snapshot is published: the detector's reasons, or a `snapshot` command. */
type SnapshotReason = PublishReason | "requested";

export class Agent {
  readonly #options: AgentOptions;
  readonly #statusLog: SourceStatusLog;
  readonly #detector: ChangeDetector;
  readonly #startedAt = Date.now();
  #sequence: SequenceCounter | null = null;
  #publisher: MqttPublisher | null = null;
  #outbox: OutboxQueue | null = null;
  #timer: NodeJS.Timeout | null = null;
  #cycle: Promise<void> | null = null;
  #stopped = false;
  #lastSources: SourceStatus[] = [];
  readonly #fingerprints = new LeaseFingerprints();
  #spool: SpoolWatcher | null = null;
  #runAgain = false;
  /** A `snapshot` command is waiting: the next cycle publishes in full whatever changed. */
  #fullRequested = false;
  readonly #commands: CommandHandler;

  constructor(options: AgentOptions) {
    this.#options = options;
    this.#statusLog = new SourceStatusLog(options.log);
    this.#detector = new ChangeDetector(options.intervalMs);
    this.#commands = new CommandHandler({
      log: options.log,
      requestSnapshot: () => this.#requestFullSnapshot(),
      publishSpeedTest: (outcome) => this.#enqueueSpeedTest(outcome),
      speedTestUrl: options.speedTestUrl,
      ca: options.security?.ca,
    });
  }

  get publisher(): MqttPublisher | null {
    return this.#publisher;
  }

  get outbox(): OutboxQueue | null {
    return this.#outbox;
  }

  get commands(): CommandHandler {
    return this.#commands;
  }

  health(): AgentHealth {
    return buildHealth({
      startedAt: this.#startedAt,
      now: Date.now(),
      outbox: this.#outbox?.stats ?? null,
      published: this.#publisher?.counters.published ?? 0,
      failed: this.#publisher?.counters.failed ?? 0,
      connections: this.#publisher?.connections ?? 0,
      sources: this.#lastSources,
    });
  }

  /** Collects one snapshot, numbered but not published. */
  async collect(): Promise<Snapshot> {
    const snapshot = await this.#collectUnnumbered();
    return { ...snapshot, seq: (this.#sequence as SequenceCounter).next() };
  }

  /** Opens the outbox, connects, and publishes until stop(). */
  async start(): Promise<void> {
    const o = this.#options;
    if (!o.broker) throw new Error("--broker is required to publish (or use --once --print)");
    const outboxDir = o.outboxDir ?? (o.stateDir ? join(o.stateDir, "outbox") : null);
    const maxBytes = o.outboxMaxBytes ?? DEFAULT_OUTBOX_MAX_BYTES;
    // Without a directory (in-process simulated fleets) the queue lives in memory and dies with the process.
    const outbox: OutboxQueue = outboxDir
      ? Outbox.open(join(outboxDir, o.gatewayId), { maxBytes, log: o.log })
      : new MemoryOutbox(maxBytes);
    this.#outbox = outbox;
    try {
      const first = await this.#collectUnnumbered();
      this.#keepSequenceAboveQueued(outbox);
      const sequence = this.#sequence as SequenceCounter;
      this.#publisher = new MqttPublisher({
        brokerUrl: o.broker,
        gatewayId: o.gatewayId,
        agentVersion: o.version,
        log: o.log,
        nextSeq: () => sequence.next(),
        bootId: () => sequence.bootId,
        clock: o.ctx.now,
        outbox,
        health: () => this.health(),
        onCommand: (payload) => this.#commands.handle(payload),
        ...(o.security ? { security: o.security } : {}),
        ...(o.reconnect ? { backoff: o.reconnect } : {}),
        ...(o.maxInFlight ? { maxInFlight: o.maxInFlight } : {}),
        ...(o.publishRate ? { publishRate: o.publishRate } : {}),
        ...(o.healthIntervalMs ? { healthIntervalMs: o.healthIntervalMs } : {}),
      });
      if (outbox.stats.messages > 0)
        o.log.info(outbox.stats, "outbox holds messages from before: sending them first");
      this.#publisher.start();
      this.#enqueue(first, "first");
      if (o.hookSpoolDir) await this.#watchHookSpool(o.hookSpoolDir);
    } catch (error) {
      await this.#publisher?.close();
      this.#publisher = null;
      outbox.close();
      this.#outbox = null;
      throw error;
    }
    this.#schedule();
  }

  /** Waits until everything queued is acknowledged; false if `timeoutMs` passed first. */
  flush(timeoutMs: number): Promise<boolean> {
    return this.#publisher?.flush(timeoutMs) ?? Promise.resolve(true);
  }

  /** Finishes the running cycle, sends what it can for a moment, says offline; the outbox keeps the rest. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#spool?.stop();
    await this.#cycle;
    // A running speed test is aborted; its result (saying so) still goes to the outbox.
    await this.#commands.stop();
    const publisher = this.#publisher;
    if (publisher?.connected)
      await publisher.flush(this.#options.shutdownFlushMs ?? DEFAULT_SHUTDOWN_FLUSH_MS);
    await publisher?.close();
    const left = this.#outbox?.stats;
    this.#outbox?.close();
    if (left && left.messages > 0)
      this.#options.log.info(left, "stopped; unsent messages stay in the outbox");
  }

  #schedule(delayMs?: number): void {
    const o = this.#options;
    const pollMs = delayMs ?? Math.min(o.pollMs ?? DEFAULT_POLL_MS, o.intervalMs);
    // A timeout chain, not an interval: a slow cycle (a command near its timeout) is never overlapped.
    this.#timer = setTimeout(() => {
      this.#cycle = this.#runCycle().finally(() => {
        this.#cycle = null;
        if (this.#stopped) return;
        const again = this.#runAgain;
        this.#runAgain = false;
        this.#schedule(again ? 0 : undefined);
      });
    }, pollMs);
  }

  /** Runs a cycle now (or right after the running one), instead of at the next poll. */
  #pollNow(): void {
    if (this.#stopped) return;
    if (this.#cycle) {
      this.#runAgain = true;
      return;
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#schedule(0);
  }

  /** Before the loop is scheduled (start() still running), the first cycle sees the flag. */
  #requestFullSnapshot(): void {
    this.#fullRequested = true;
    if (this.#timer || this.#cycle) this.#pollNow();
  }

  async #watchHookSpool(dir: string): Promise<void> {
    const log = this.#options.log;
    this.#spool = new SpoolWatcher({
      dir,
      now: this.#options.ctx.now,
      onEvent: (event) => {
        this.#fingerprints.record(event);
        log.debug({ action: event.action, server: event.server }, "lease event from the DHCP server hook");
        this.#pollNow();
      },
      onProblem: (problem) => log.warn(problem, "unreadable DHCP hook event skipped"),
    });
    await this.#spool.start();
  }

  async #runCycle(): Promise<void> {
    try {
      let reason: SnapshotReason | null = this.#fullRequested
        ? "requested"
        : this.#detector.due(performance.now());
      this.#fullRequested = false;
      if (!reason) {
        // A cheap look first: only the lease servers and Wi-Fi, unless that already shows a change.
        if (!this.#detector.changed(await this.#probe())) return;
        reason = "changed";
      }
      this.#enqueue(await this.#collectUnnumbered(), reason);
    } catch (error) {
      this.#options.log.error({ err: error }, "collection cycle failed; retrying at the next poll");
    }
  }

  /** Numbers the snapshot and appends it to the outbox; the publisher sends it when it can. */
  #enqueue(snapshot: Unnumbered, reason: SnapshotReason): void {
    const sequence = this.#sequence as SequenceCounter;
    const numbered: Snapshot = { ...snapshot, seq: sequence.next() };
    (this.#outbox as OutboxQueue).append(
      topicFor(numbered.gatewayId, "snapshot"),
      encodePayload(JSON.stringify(numbered)),
    );
    this.#detector.published(snapshot, performance.now());
    this.#options.log.debug({ seq: numbered.seq, reason }, "snapshot queued");
    this.#publisher?.notify();
  }

  /** A speed test's result, numbered from the same per-boot sequence and queued like a snapshot. */
  #enqueueSpeedTest(outcome: SpeedTestOutcome): void {
    const sequence = this.#sequence;
    const outbox = this.#outbox;
    if (!sequence || !outbox) return;
    const o = this.#options;
    const message: SpeedTestResult = {
      v: PROTOCOL_VERSION,
      type: "speedtest",
      gatewayId: o.gatewayId,
      bootId: sequence.bootId,
      seq: sequence.next(),
      collectedAt: o.ctx.now(),
      ...outcome,
    };
    outbox.append(topicFor(o.gatewayId, "speedtest"), encodePayload(JSON.stringify(message)));
    o.log.debug({ seq: message.seq, testId: message.testId }, "speed test result queued");
    this.#publisher?.notify();
  }

  /** A full collection, enriched and stamped with the boot id. */
  async #collectUnnumbered(): Promise<Unnumbered> {
    const o = this.#options;
    const collected = await collectSnapshot(await o.sources.current(o.ctx), o.ctx, o.gatewayId);
    const bootId = await this.#checkBoot();
    this.#statusLog.report(collected.snapshot.sources, collected.skippedExamples);
    this.#lastSources = collected.snapshot.sources;
    return { ...collected.snapshot, leases: this.#fingerprints.enrich(collected.snapshot.leases), bootId };
  }

  /** A change check (collectChanges.ts) with the current boot id. */
  async #probe(): Promise<ChangeInput> {
    const o = this.#options;
    const changes = await collectChanges(await o.sources.current(o.ctx), o.ctx);
    return { ...changes, bootId: await this.#checkBoot() };
  }

  /** The current boot id; a new one starts the sequence afresh and is announced. */
  async #checkBoot(): Promise<string> {
    const o = this.#options;
    // Polling only a router over SNMP, the agent is not on the gateway: the router's reset detection is its boot.
    const snmp = o.sources.snmpOnly();
    const bootId = snmp ? snmpBootId(snmp, this.#sequence) : await readBootId(o.ctx, o.bootIdFile);
    if (!this.#sequence) {
      const file = o.stateDir ? join(o.stateDir, `${o.gatewayId}.seq.json`) : null;
      this.#sequence = new SequenceCounter(file, bootId);
    } else if (this.#sequence.bootId !== bootId) {
      o.log.info({ previousBootId: this.#sequence.bootId, bootId }, "gateway rebooted: new boot id");
      this.#sequence.resetForBoot(bootId);
      this.#publisher?.announce();
    }
    return bootId;
  }

  /** Messages queued by a previous run of this boot keep their numbers: new ones start above them. */
  #keepSequenceAboveQueued(outbox: OutboxQueue): void {
    const newest = outbox instanceof Outbox ? outbox.takeRecoveredNewest() : null;
    const sequence = this.#sequence as SequenceCounter;
    if (!newest) return;
    try {
      const { bootId, seq } = JSON.parse(newest.payload.toString("utf8")) as {
        bootId?: unknown;
        seq?: unknown;
      };
      if (bootId === sequence.bootId && Number.isSafeInteger(seq)) sequence.skipTo((seq as number) + 1);
    } catch {
      // not JSON: nothing to learn from it
    }
  }
}

/** The SNMP router's boot id; before its first successful poll, the previous one (or a placeholder). */
function snmpBootId(source: SnmpSource, sequence: SequenceCounter | null): string {
  return source.last?.bootId ?? sequence?.bootId ?? "snmp:unknown";
}
