/**
 * Topic layout: `leaseline/v1/<gatewayId>/<kind>`. One place builds and parses topics so
 * the agent, the collector's authorization and the simulator cannot drift apart.
 */
import { GATEWAY_ID_PATTERN } from "./limits.js";

export const TOPIC_ROOT = "leaseline/v1";

/** Message kinds a gateway publishes; each is one topic level under the gateway. */
export const MESSAGE_KINDS = ["state", "snapshot", "speedtest"] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** Subscription that receives every gateway's messages. */
export const ALL_GATEWAYS_FILTER = `${TOPIC_ROOT}/+/#`;

export function isValidGatewayId(id: string): boolean {
  return GATEWAY_ID_PATTERN.test(id);
}

export function topicFor(gatewayId: string, kind: MessageKind): string {
  if (!isValidGatewayId(gatewayId)) throw new Error(`invalid gateway id ${JSON.stringify(gatewayId)}`);
  return `${TOPIC_ROOT}/${gatewayId}/${kind}`;
}

/**
 * The collector's commands to one gateway (protocol/commands.ts). Inside the gateway's subtree,
 * so the broker's authorization lets only that gateway subscribe to it; no gateway may publish
 * to it.
 */
export const COMMAND_KIND = "cmd";

export function commandTopicFor(gatewayId: string): string {
  if (!isValidGatewayId(gatewayId)) throw new Error(`invalid gateway id ${JSON.stringify(gatewayId)}`);
  return `${TOPIC_ROOT}/${gatewayId}/${COMMAND_KIND}`;
}

export interface ParsedTopic {
  gatewayId: string;
  kind: MessageKind;
}

/** Returns null for any topic that is not exactly one gateway's known message kind. */
export function parseTopic(topic: string): ParsedTopic | null {
  const prefix = `${TOPIC_ROOT}/`;
  if (!topic.startsWith(prefix)) return null;
  const rest = topic.slice(prefix.length).split("/");
  if (rest.length !== 2) return null;
  const [gatewayId, kind] = rest as [string, string];
  if (!isValidGatewayId(gatewayId)) return null;
  if (!(MESSAGE_KINDS as readonly string[]).includes(kind)) return null;
  return { gatewayId, kind: kind as MessageKind };
}
