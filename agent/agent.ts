/**
 * The agent's main loop: every interval, read the boot id, collect a snapshot from the
 * configured sources and publish it. A changed boot id (the router reset under a running
 * agent, as the simulator does) restarts the sequence and is announced in the state topic.
 */
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../common/logger.js";
import { type Snapshot, topicFor } from "../protocol/index.js";
import { readBootId } from "./bootId.js";
import { collectSnapshot, SourceStatusLog } from "./collectSnapshot.js";
import { MqttPublisher } from "./mqttPublisher.js";
import { SequenceCounter } from "./sequenceCounter.js";
import type { SnmpSource } from "./snmp/snmpSource.js";
import type { SourceSelection } from "./sources/registry.js";
import type { SourceContext } from "./sources/source.js";

/** How long shutdown waits for unacknowledged snapshots before disconnecting anyway. */
const SHUTDOWN_FLUSH_MS = 5000;

export interface AgentOptions {
  gatewayId: string;
  ctx: SourceContext;
  sources: SourceSelection;
  bootIdFile: string;
  log: Logger;
  version: string;
  /** Where the sequence state is kept; null keeps it in memory (`--once`). */
  stateDir: string | null;
  broker: string | null;
  intervalMs: number;
}

export class Agent {
  readonly #options: AgentOptions;
  readonly #statusLog: SourceStatusLog;
  #sequence: SequenceCounter | null = null;
  #publisher: MqttPublisher | null = null;
  #timer: NodeJS.Timeout | null = null;
  #cycle: Promise<void> | null = null;
  #stopped = false;
  readonly #unacknowledged = new Set<Promise<boolean>>();

  constructor(options: AgentOptions) {
    this.#options = options;
    this.#statusLog = new SourceStatusLog(options.log);
  }

  get publisher(): MqttPublisher | null {
    return this.#publisher;
  }

  /** Collects one snapshot, numbered but not published. */
  async collect(): Promise<Snapshot> {
    const o = this.#options;
    const sources = await o.sources.current(o.ctx);
    const collected = await collectSnapshot(sources, o.ctx, o.gatewayId);
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
    this.#statusLog.report(collected.snapshot.sources, collected.skippedExamples);
    return { ...collected.snapshot, bootId, seq: this.#sequence.next() };
  }

  /** Connects and publishes a snapshot every interval until stop(). */
  async start(): Promise<void> {
    const o = this.#options;
    if (!o.broker) throw new Error("--broker is required to publish (or use --once --print)");
    await this.collect().then((first) => {
      const sequence = this.#sequence as SequenceCounter;
      this.#publisher = new MqttPublisher({
        brokerUrl: o.broker as string,
        gatewayId: o.gatewayId,
        agentVersion: o.version,
        log: o.log,
        nextSeq: () => sequence.next(),
        bootId: () => sequence.bootId,
        clock: o.ctx.now,
      });
      this.#publish(first);
    });
    this.#timer = setInterval(() => {
      // A slow cycle (a command near its timeout) is not overlapped by the next one.
      this.#cycle ??= this.#runCycle().finally(() => {
        this.#cycle = null;
      });
    }, o.intervalMs);
  }

  /** Finishes the running cycle, says offline and disconnects. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#cycle;
    // Give what is in flight a moment to be acknowledged before the connection closes.
    await Promise.race([
      Promise.all(this.#unacknowledged),
      sleep(SHUTDOWN_FLUSH_MS, undefined, { ref: false }),
    ]);
    await this.#publisher?.close();
  }

  async #runCycle(): Promise<void> {
    try {
      this.#publish(await this.collect());
    } catch (error) {
      this.#options.log.error({ err: error }, "collection cycle failed; retrying at the next interval");
    }
  }

  /** Hands the snapshot to the publisher without waiting for the acknowledgement: the cycle must not stall on a slow broker. */
  #publish(snapshot: Snapshot): void {
    const publisher = this.#publisher as MqttPublisher;
    const sent = publisher.publish(topicFor(snapshot.gatewayId, "snapshot"), JSON.stringify(snapshot));
    this.#unacknowledged.add(sent);
    void sent.finally(() => this.#unacknowledged.delete(sent));
  }
}

/** The SNMP router's boot id; before its first successful poll, the previous one (or a placeholder). */
function snmpBootId(source: SnmpSource, sequence: SequenceCounter | null): string {
  return source.last?.bootId ?? sequence?.bootId ?? "snmp:unknown";
}
