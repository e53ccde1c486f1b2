/** The wire protocol's major version: it is the `v` of every message and the `v1` of every topic. */
export const PROTOCOL_VERSION = 1 as const;
