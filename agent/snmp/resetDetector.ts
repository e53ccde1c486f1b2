/**
 * Decides from two uptime readings of a polled router whether it reset between them.
 *
 * - "reset": the host rebooted (or a different SNMP engine now answers at the address).
 *   Router data must not outlive this.
 * - "reload": only the SNMP agent restarted (sysUpTime restarted or snmpEngineBoots changed
 *   while the host uptime ran on). A hint, not a reset: the router's leases and neighbours
 *   are still valid.
 * - "none".
 *
 * Evidence, strongest first:
 * 1. hrSystemUptime (HOST-RESOURCES-MIB) is the host's uptime. When both readings have it, it
 *    alone decides reset vs not; sysUpTime and snmpEngineBoots can then only say "reload".
 * 2. Without hrSystemUptime, sysUpTime is all there is, and on most embedded agents it starts
 *    with the host. A sysUpTime restart is taken as a reset when snmpEngineBoots changed with
 *    it or is not available (both say the agent started afresh, and for a router without host
 *    uptime a reboot cannot be told apart from an agent restart: deleting data early is the
 *    safe side of "router data never outlives its boot"). A sysUpTime restart with an
 *    unchanged snmpEngineBoots, or a boots change alone, stays a "reload".
 *
 * An uptime "restarted" when it is not where the elapsed wall time says it should be and
 * either went backwards or is small enough to have started since the previous reading.
 * TimeTicks are 32-bit centiseconds and wrap every 2^32 cs (~497 days): arithmetic is modulo
 * 2^32, so a wrap lands where expected and is not a reboot. An uptime that ran ahead of the
 * wall clock, or lags without a plausible restart, is clock trouble, not a reboot.
 * elapsedMs must come from a monotonic clock (performance.now()), not the wall clock, which
 * NTP steps.
 */

export interface UptimeReading {
  /** TimeTicks (1/100 s) since the SNMP agent (re)initialised. */
  sysUpTime: number;
  /** TimeTicks since the host booted, where HOST-RESOURCES-MIB is implemented. */
  hrSystemUptime?: number | null;
  engineBoots?: number | null;
  /** snmpEngineID (hex): a different one means a different device or a re-flashed one. */
  engineId?: string | null;
}

export type ResetVerdict = "reset" | "reload" | "none";

export interface ResetDecision {
  verdict: ResetVerdict;
  reason: string;
}

const TICKS_MODULUS = 0x1_0000_0000;
/**
 * Slack between an uptime and the wall time elapsed on the agent's side: each reading may sit
 * anywhere within a request's round trip and retries, and clocks drift. A reboot takes longer
 * than this, so it still shows.
 */
const MIN_TOLERANCE_CS = 10 * 100;
/** Oscillators drift by parts per million; 1 % covers that and slow readings over long gaps. */
const TOLERANCE_FRACTION = 0.01;

type UptimeChange = "consistent" | "restarted" | "inconsistent";

/** How an uptime counter moved compared with the elapsed time, modulo the 2^32 wrap. */
export function classifyUptime(previous: number, current: number, elapsedCs: number): UptimeChange {
  const tolerance = Math.max(MIN_TOLERANCE_CS, elapsedCs * TOLERANCE_FRACTION);
  const expected = (previous + elapsedCs) % TICKS_MODULUS;
  let drift = (current - expected) % TICKS_MODULUS;
  if (drift < 0) drift += TICKS_MODULUS;
  if (drift > TICKS_MODULUS / 2) drift -= TICKS_MODULUS;
  if (Math.abs(drift) <= tolerance) return "consistent";
  const wentBackwards = current < previous && previous + elapsedCs < TICKS_MODULUS - tolerance;
  const startedSinceLastReading = current <= elapsedCs + tolerance;
  return wentBackwards || startedSinceLastReading ? "restarted" : "inconsistent";
}

const known = (v: number | null | undefined): v is number => typeof v === "number" && Number.isFinite(v);

export function detectReset(
  previous: UptimeReading,
  current: UptimeReading,
  elapsedMs: number,
): ResetDecision {
  const elapsedCs = Number.isFinite(elapsedMs) && elapsedMs > 0 ? Math.round(elapsedMs / 10) : 0;
  if (previous.engineId && current.engineId && previous.engineId !== current.engineId) {
    return {
      verdict: "reset",
      reason: `snmpEngineID changed from ${previous.engineId} to ${current.engineId}`,
    };
  }
  const sys = classifyUptime(previous.sysUpTime, current.sysUpTime, elapsedCs);
  const bootsKnown = known(previous.engineBoots) && known(current.engineBoots);
  const bootsChanged = bootsKnown && previous.engineBoots !== current.engineBoots;
  const boots = bootsChanged ? `snmpEngineBoots ${previous.engineBoots} → ${current.engineBoots}` : "";

  if (known(previous.hrSystemUptime) && known(current.hrSystemUptime)) {
    const host = classifyUptime(previous.hrSystemUptime, current.hrSystemUptime, elapsedCs);
    if (host === "restarted") {
      return {
        verdict: "reset",
        reason: `hrSystemUptime restarted (${previous.hrSystemUptime} → ${current.hrSystemUptime} cs in ${elapsedCs} cs)`,
      };
    }
    if (sys === "restarted" || bootsChanged) {
      return {
        verdict: "reload",
        reason: `SNMP agent restarted while the host stayed up (${sys === "restarted" ? "sysUpTime restarted" : boots})`,
      };
    }
    return { verdict: "none", reason: "hrSystemUptime advanced with the clock" };
  }

  if (sys === "restarted" && (bootsChanged || !bootsKnown)) {
    return {
      verdict: "reset",
      reason: `sysUpTime restarted${bootsChanged ? ` and ${boots}` : ""}, no hrSystemUptime to tell a reload from a reboot`,
    };
  }
  if (sys === "restarted" || bootsChanged) {
    return {
      verdict: "reload",
      reason: sys === "restarted" ? "sysUpTime restarted with unchanged snmpEngineBoots" : `${boots} alone`,
    };
  }
  return {
    verdict: "none",
    reason: sys === "consistent" ? "sysUpTime advanced with the clock" : "uptime drifted",
  };
}
