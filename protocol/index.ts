/** The wire contract shared by agent, collector and simulator. */

export * from "./commands.js";
export * from "./devices.js";
export * from "./limits.js";
export * from "./mac.js";
export * from "./messages.js";
export * from "./payload.js";
export type { Schema, ValidationError } from "./schema.js";
export * from "./topics.js";
export * from "./validate.js";
export * from "./version.js";
