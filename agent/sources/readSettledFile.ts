/**
 * Reads a lease file that its DHCP server may be writing at this very moment. A read that ends
 * without a final newline (or, for servers that truncate and rewrite in place like dnsmasq, an
 * empty read) is looked at again a little later before it is believed: otherwise a half-written
 * file would look like devices leaving.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { SourceContext } from "./source.js";

/** A rewrite takes the server microseconds; three looks over ~100 ms outlast it. */
const REREAD_ATTEMPTS = 3;
const REREAD_DELAY_MS = 50;

export interface SettleOptions {
  /** The server truncates and rewrites in place, so an empty read may be mid-rewrite. */
  emptyMayBeTransient: boolean;
}

export async function readSettledFile(
  ctx: SourceContext,
  path: string,
  options: SettleOptions,
): Promise<string | null> {
  let text = await ctx.readSystemFile(path);
  for (let attempt = 1; attempt < REREAD_ATTEMPTS && text !== null; attempt++) {
    const settled = text === "" ? !options.emptyMayBeTransient : text.endsWith("\n");
    if (settled) break;
    await sleep(REREAD_DELAY_MS);
    text = await ctx.readSystemFile(path);
  }
  return text;
}
