/**
 * The gateway's boot identity. Linux writes a fresh random UUID to boot_id at every boot, the
 * one reliable signal that the router reset (uptime can be faked by a suspend, and the
 * wall clock jumps with NTP).
 */
import type { SourceContext } from "./sources/source.js";

export const BOOT_ID_PATH = "/proc/sys/kernel/random/boot_id";

export async function readBootId(ctx: SourceContext, path: string = BOOT_ID_PATH): Promise<string> {
  const text = await ctx.readSystemFile(path);
  const bootId = text?.trim() ?? "";
  if (!bootId) {
    throw new Error(
      `cannot read the boot id from ${path} under root ${ctx.root} (${text === null ? "missing" : "empty"}); ` +
        "pass --boot-id-file or check --root",
    );
  }
  return bootId.slice(0, 64);
}

/** Seconds since boot from /proc/uptime, or null where it is missing or unreadable. */
export async function readUptimeSeconds(ctx: SourceContext): Promise<number | null> {
  const text = await ctx.readSystemFile("/proc/uptime").catch(() => null);
  const value = Number(text?.trim().split(/\s+/)[0]);
  return text && Number.isFinite(value) && value >= 0 ? value : null;
}
