/**
 * The agent's health, carried in its retained `state` message so support sees at a glance
 * whether a gateway's agent is keeping up: how long it has run, how much is queued, what was
 * published, dropped or failed, and how each source fared last cycle (protocol agentHealthSchema).
 */
import type { AgentHealth, SourceStatus } from "../../protocol/index.js";

export type { AgentHealth };

import type { OutboxStats } from "../outbox/outbox.js";

export interface HealthInputs {
  startedAt: number;
  now: number;
  outbox: OutboxStats | null;
  published: number;
  failed: number;
  connections: number;
  sources: readonly SourceStatus[];
}

export function buildHealth(i: HealthInputs): AgentHealth {
  return {
    agentUptimeSeconds: Math.max(0, Math.round((i.now - i.startedAt) / 1000)),
    outboxMessages: i.outbox?.messages ?? 0,
    outboxBytes: i.outbox?.bytes ?? 0,
    outboxLimitBytes: i.outbox?.limitBytes ?? 0,
    published: i.published,
    dropped: i.outbox?.dropped ?? 0,
    failed: i.failed,
    connections: i.connections,
    sources: [...i.sources],
  };
}
