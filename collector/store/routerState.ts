/**
 * Router data of the current boot: radios (channel, noise, utilisation between readings) and
 * interfaces (counters, rates), plus interface bandwidth samples at most one per interface per
 * minute. Deleted at reset and by the router-data maximum age (docs/lifecycle.md).
 */
import { counterChange, counterRate } from "../../agent/rates/counterRate.js";
import type { Snapshot } from "../../protocol/index.js";
import { elapsedMs, SAMPLE_INTERVAL_MS } from "./deviceState.js";
import type { Db } from "./openDatabase.js";

interface RadioRow {
  interface: string;
  frequency_mhz: number | null;
  channel: number | null;
  noise_dbm: number | null;
  channel_active_ms: number | null;
  channel_busy_ms: number | null;
}

interface InterfaceRow {
  name: string;
  rx_bytes: number;
  tx_bytes: number;
  read_at: number;
  read_uptime: number | null;
  last_sample_at: number | null;
}

/** Busy share of the channel between two survey readings, or null without an honest answer. */
function utilisation(old: RadioRow | undefined, active: number | null, busy: number | null): number | null {
  if (!old || old.channel_active_ms === null || old.channel_busy_ms === null) return null;
  if (active === null || busy === null) return null;
  const dActive = counterChange(old.channel_active_ms, active).delta;
  const dBusy = counterChange(old.channel_busy_ms, busy).delta;
  if (dActive === null || dBusy === null || dActive === 0n) return null;
  return Math.min(1, Number(dBusy) / Number(dActive));
}

export class RouterState {
  readonly #s;

  constructor(db: Db) {
    this.#s = {
      radios: db.prepare<[string], RadioRow>(
        `SELECT interface, frequency_mhz, channel, noise_dbm, channel_active_ms, channel_busy_ms
         FROM radios WHERE gateway_id = ?`,
      ),
      upsertRadio: db.prepare(
        `INSERT OR REPLACE INTO radios (gateway_id, interface, phy, type, ssid, mac, frequency_mhz, channel,
           channel_width_mhz, tx_power_dbm, noise_dbm, channel_active_ms, channel_busy_ms, utilisation, updated_at)
         VALUES (@gatewayId, @interface, @phy, @type, @ssid, @mac, @frequencyMhz, @channel, @channelWidthMhz,
           @txPowerDbm, @noiseDbm, @channelActiveMs, @channelBusyMs, @utilisation, @now)`,
      ),
      deleteRadio: db.prepare("DELETE FROM radios WHERE gateway_id = ? AND interface = ?"),
      interfaces: db.prepare<[string], InterfaceRow>(
        "SELECT name, rx_bytes, tx_bytes, read_at, read_uptime, last_sample_at FROM interfaces WHERE gateway_id = ?",
      ),
      upsertInterface: db.prepare(
        `INSERT OR REPLACE INTO interfaces (gateway_id, name, rx_bytes, tx_bytes, rx_packets, tx_packets, rx_errors,
           tx_errors, rx_dropped, tx_dropped, rx_rate, tx_rate, read_at, read_uptime, last_sample_at, updated_at)
         VALUES (@gatewayId, @name, @rxBytes, @txBytes, @rxPackets, @txPackets, @rxErrors, @txErrors, @rxDropped,
           @txDropped, @rxRate, @txRate, @readAt, @readUptime, @lastSampleAt, @now)`,
      ),
      deleteInterface: db.prepare("DELETE FROM interfaces WHERE gateway_id = ? AND name = ?"),
      sample: db.prepare(
        `INSERT OR REPLACE INTO interface_samples (gateway_id, name, at, rx_bytes, tx_bytes, rx_rate, tx_rate)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  apply(message: Snapshot, receivedAt: number): number {
    const s = this.#s;
    const { gatewayId, collectedAt, uptimeSeconds } = message;
    let written = 0;
    const radios = new Map(s.radios.all(gatewayId).map((r) => [r.interface, r]));
    for (const radio of message.radios) {
      const old = radios.get(radio.interface);
      radios.delete(radio.interface);
      const unchanged =
        old &&
        old.frequency_mhz === radio.frequencyMhz &&
        old.channel === radio.channel &&
        old.noise_dbm === radio.noiseDbm &&
        old.channel_active_ms === radio.channelActiveMs &&
        old.channel_busy_ms === radio.channelBusyMs;
      if (unchanged) continue;
      const util = utilisation(old, radio.channelActiveMs, radio.channelBusyMs);
      s.upsertRadio.run({ ...radio, gatewayId, utilisation: util, now: receivedAt });
      written++;
    }
    for (const gone of radios.keys()) written += s.deleteRadio.run(gatewayId, gone).changes;

    const interfaces = new Map(s.interfaces.all(gatewayId).map((r) => [r.name, r]));
    for (const counters of message.interfaces) {
      const old = interfaces.get(counters.name);
      interfaces.delete(counters.name);
      if (old && old.rx_bytes === counters.rxBytes && old.tx_bytes === counters.txBytes) continue;
      const elapsed = old ? elapsedMs(old.read_at, old.read_uptime, collectedAt, uptimeSeconds) : null;
      const rxRate = old && elapsed !== null ? counterRate(old.rx_bytes, counters.rxBytes, elapsed) : null;
      const txRate = old && elapsed !== null ? counterRate(old.tx_bytes, counters.txBytes, elapsed) : null;
      let lastSampleAt = old?.last_sample_at ?? null;
      if (lastSampleAt === null || receivedAt - lastSampleAt >= SAMPLE_INTERVAL_MS) {
        lastSampleAt = receivedAt;
        s.sample.run(
          gatewayId,
          counters.name,
          receivedAt,
          counters.rxBytes,
          counters.txBytes,
          rxRate,
          txRate,
        );
        written++;
      }
      s.upsertInterface.run({
        ...counters,
        gatewayId,
        rxRate,
        txRate,
        readAt: collectedAt,
        readUptime: uptimeSeconds,
        lastSampleAt,
        now: receivedAt,
      });
      written++;
    }
    for (const gone of interfaces.keys()) written += s.deleteInterface.run(gatewayId, gone).changes;
    return written;
  }
}
