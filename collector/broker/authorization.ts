/**
 * Who may do what on the embedded broker. A gateway that authenticated with its credential
 * may publish only its own message kinds (`leaseline/v1/<its id>/<kind>`) and subscribe only
 * inside its subtree, which holds its command topic `leaseline/v1/<id>/cmd`; its client id must
 * be its gateway id and its last will must stay inside its subtree. Commands come only from the
 * collector itself (published inside the broker, not through these rules): no client publishes
 * to a command topic, so no gateway can command another. An anonymous client exists only while
 * no credential is configured and the broker listens on loopback only: it is a local tool or a
 * development agent, trusted like any local process, but it still cannot publish to `$SYS` or
 * to a command topic.
 */
import { COMMAND_KIND, isValidGatewayId, parseTopic, TOPIC_ROOT } from "../../protocol/index.js";

export type Identity = { kind: "anonymous" } | { kind: "gateway"; gatewayId: string };

function subtree(gatewayId: string): string {
  return `${TOPIC_ROOT}/${gatewayId}/`;
}

/** True for any gateway's command topic, `leaseline/v1/<id>/cmd`, whatever the id. */
export function isCommandTopic(topic: string): boolean {
  const levels = topic.split("/");
  return levels.length === 4 && topic.startsWith(`${TOPIC_ROOT}/`) && levels[3] === COMMAND_KIND;
}

/** Why a publish (or a will) to `topic` is refused, or null when it is allowed. */
export function publishRefusal(identity: Identity, topic: string): string | null {
  if (topic.startsWith("$")) return "topics starting with $ are reserved for the broker";
  if (topic.includes("+") || topic.includes("#")) return "wildcards are not allowed in a published topic";
  if (isCommandTopic(topic)) return "command topics are published only by the collector";
  if (identity.kind === "gateway") {
    const parsed = topic.startsWith(subtree(identity.gatewayId)) ? parseTopic(topic) : null;
    if (parsed === null) {
      return `${identity.gatewayId} may publish only its message kinds under ${subtree(identity.gatewayId)}`;
    }
  }
  return null;
}

/** Why a subscription to `filter` is refused, or null when it is allowed. */
export function subscribeRefusal(identity: Identity, filter: string): string | null {
  if (identity.kind === "anonymous") return null;
  // Shared subscriptions and $SYS start with $; neither is inside a gateway's subtree.
  if (!filter.startsWith(subtree(identity.gatewayId))) {
    return `${identity.gatewayId} may subscribe only inside ${subtree(identity.gatewayId)}`;
  }
  return null;
}

export interface ConnectRequest {
  clientId: string;
  username: string | undefined;
  willTopic: string | undefined;
}

/** Why a gateway's CONNECT is refused before its password is even checked, or null. */
export function gatewayConnectRefusal(request: ConnectRequest): string | null {
  const { clientId, username, willTopic } = request;
  if (username === undefined || username === "") return "a username (the gateway id) is required";
  if (!isValidGatewayId(username)) return "the username is not a valid gateway id";
  if (clientId !== username) return "the client id must equal the gateway id";
  if (willTopic !== undefined) {
    const refusal = publishRefusal({ kind: "gateway", gatewayId: username }, willTopic);
    if (refusal) return `last will refused: ${refusal}`;
  }
  return null;
}
