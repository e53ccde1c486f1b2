/**
 * The embedded broker's limits. Each is a named constant with the reason for its value; the
 * broker takes them as defaults and tests may lower them.
 */
import { MAX_PAYLOAD_BYTES } from "../../protocol/index.js";

/** Largest MQTT packet accepted: the largest payload the protocol allows plus room for its topic and headers. */
export const MAX_PACKET_BYTES = MAX_PAYLOAD_BYTES + 1024;

/** Topic levels at most: ours have four (`leaseline/v1/<gw>/<kind>`); deeper topics only cost the router memory. */
export const MAX_TOPIC_LEVELS = 8;

/** Sustained publishes per second per client: an agent sends one snapshot per interval (≥ 0.1 s) plus its state; faster is throttled. */
export const PUBLISH_RATE_PER_SECOND = 20;

/** Publishes a client may send at once: a reconnecting agent resends its unacknowledged messages in a burst. */
export const PUBLISH_BURST = 200;

/**
 * A client over its rate is slowed down (its PUBACKs wait for tokens), and closed only once it is
 * this far behind: an agent replaying its outbox waits for PUBACKs and stays within it; a flood does not.
 */
export const PUBLISH_MAX_THROTTLE_MS = 10_000;

/** Authentication failures from one address within the window that earn a ban: enough for a misconfigured reboot loop to be noticed, too few to guess a password. */
export const AUTH_FAILURES_BEFORE_BAN = 15;

/** The window over which authentication failures are counted. */
export const AUTH_FAILURE_WINDOW_MS = 60_000;

/** How long a banned address is refused at connect: long enough to make guessing pointless, short enough to heal a misconfiguration. */
export const AUTH_BAN_MS = 5 * 60_000;

/** Addresses tracked for failures at most: bounds the ban table's memory during a distributed attack. */
export const MAX_TRACKED_ADDRESSES = 100_000;

/** A connection must send CONNECT within this long: an idle socket only holds a file descriptor. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** A TLS handshake must finish within this long, for the same reason. */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** A client that stops reading is disconnected after this long, so it cannot stall deliveries to others. */
export const DRAIN_TIMEOUT_MS = 30_000;

/** Gateway ids are MQTT client ids; MQTT 3.1 limited them to 23 characters, ours may have 64. */
export const MAX_CLIENT_ID_LENGTH = 64;
