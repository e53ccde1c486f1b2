/**
 * Wire limits shared by every producer and the collector's validator.
 * Each limit is a named constant with the reason for its value.
 */

/** Largest payload on the wire: the embedded broker's default maximum packet size, and EMQX's. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

/**
 * Largest JSON text a compressed payload may expand to (payload.ts): a snapshot with every array
 * at MAX_ARRAY_ITEMS is about 10 MiB; a payload that expands further is refused, not inflated.
 */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;

/** Rows per snapshot array: a large business gateway has a few thousand clients; more is a bug or an attack. */
export const MAX_ARRAY_ITEMS = 5000;

/** DHCP pools per router: a business gateway with a pool per VLAN has tens; more is a bug. */
export const MAX_DHCP_POOLS = 64;

/** Ordinary strings (interface names, states, hostnames): a DNS name is at most 253 characters. */
export const MAX_STRING_LENGTH = 255;

/** Opaque identifiers (client-id, DUID hex, bitrate descriptions). */
export const MAX_ID_LENGTH = 512;

/** Gateway ids become MQTT topic levels and SQLite keys: short, printable, no MQTT wildcards or separators. */
export const GATEWAY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** Sequence numbers are per boot and must stay exact in JSON (below 2^53). */
export const MAX_SEQUENCE = Number.MAX_SAFE_INTEGER;
