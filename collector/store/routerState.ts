/**
 * Router data of the current boot: radios (channel, noise, utilisation between readings),
 * interfaces (counters, rates) with interface bandwidth samples at most one per interface per
 * minute, the router's identity and load (router_info) and the line quality per ping target.
 * Deleted at reset and by the router-data maximum age (docs/lifecycle.md).
 */
import { counterChange, counterRate } from "../../agent/rates/counterRate.js";
import type { LineQuality, RouterInfo, Snapshot } from "../../protocol/index.js";
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

interface RouterInfoRow {
  model: string | null;
  board: string | null;
  firmware: string | null;
  kernel: string | null;
  hostname: string | null;
  wan_interface: string | null;
  wan_mac: string | null;
  wan_addresses: string;
  load1: number | null;
  mem_total_bytes: number | null;
  mem_available_bytes: number | null;
  dhcp_pools: string | null;
}

interface LineQualityRow {
  target: string;
  address: string | null;
  sent: number;
  received: number;
  loss_percent: number | null;
  rtt_min_ms: number | null;
  rtt_avg_ms: number | null;
  rtt_max_ms: number | null;
  jitter_ms: number | null;
  error: string | null;
}

function routerRow(router: RouterInfo): RouterInfoRow {
  return {
    model: router.model,
    board: router.board,
    firmware: router.firmware,
    kernel: router.kernel,
    hostname: router.hostname,
    wan_interface: router.wanInterface,
    wan_mac: router.wanMac,
    wan_addresses: JSON.stringify(router.wanAddresses),
    load1: router.load1,
    mem_total_bytes: router.memTotalBytes,
    mem_available_bytes: router.memAvailableBytes,
    dhcp_pools: router.dhcpPools ? JSON.stringify(router.dhcpPools) : null,
  };
}

function lineQualityRow(q: LineQuality): LineQualityRow {
  return {
    target: q.target,
    address: q.address,
    sent: q.sent,
    received: q.received,
    loss_percent: q.lossPercent,
    rtt_min_ms: q.rttMinMs,
    rtt_avg_ms: q.rttAvgMs,
    rtt_max_ms: q.rttMaxMs,
    jitter_ms: q.jitterMs,
    error: q.error,
  };
}

/** True when every field of `row` equals the stored one. */
function same<T extends object>(old: T | undefined, row: T): boolean {
  if (!old) return false;
  for (const key of Object.keys(row) as Array<keyof T>) if (old[key] !== row[key]) return false;
  return true;
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
      routerInfo: db.prepare<[string], RouterInfoRow>(
        `SELECT model, board, firmware, kernel, hostname, wan_interface, wan_mac, wan_addresses, load1,
           mem_total_bytes, mem_available_bytes, dhcp_pools FROM router_info WHERE gateway_id = ?`,
      ),
      upsertRouterInfo: db.prepare(
        `INSERT OR REPLACE INTO router_info (gateway_id, model, board, firmware, kernel, hostname, wan_interface,
           wan_mac, wan_addresses, load1, mem_total_bytes, mem_available_bytes, dhcp_pools, updated_at)
         VALUES (@gatewayId, @model, @board, @firmware, @kernel, @hostname, @wan_interface, @wan_mac,
           @wan_addresses, @load1, @mem_total_bytes, @mem_available_bytes, @dhcp_pools, @now)`,
      ),
      deleteRouterInfo: db.prepare("DELETE FROM router_info WHERE gateway_id = ?"),
      lineQuality: db.prepare<[string], LineQualityRow>(
        `SELECT target, address, sent, received, loss_percent, rtt_min_ms, rtt_avg_ms, rtt_max_ms, jitter_ms, error
         FROM line_quality WHERE gateway_id = ?`,
      ),
      upsertLineQuality: db.prepare(
        `INSERT OR REPLACE INTO line_quality (gateway_id, target, address, sent, received, loss_percent, rtt_min_ms,
           rtt_avg_ms, rtt_max_ms, jitter_ms, error, updated_at)
         VALUES (@gatewayId, @target, @address, @sent, @received, @loss_percent, @rtt_min_ms, @rtt_avg_ms,
           @rtt_max_ms, @jitter_ms, @error, @now)`,
      ),
      deleteLineQuality: db.prepare("DELETE FROM line_quality WHERE gateway_id = ? AND target = ?"),
    };
  }

  /**
   * The router's identity and load: written when a field changed; a snapshot whose router source
   * found nothing (`router: null`) removes it; an agent that does not send the field leaves it.
   */
  #applyRouterInfo(gatewayId: string, router: RouterInfo | null | undefined, receivedAt: number): number {
    const s = this.#s;
    if (router === undefined) return 0;
    if (router === null) return s.deleteRouterInfo.run(gatewayId).changes;
    const row = routerRow(router);
    if (same(s.routerInfo.get(gatewayId), row)) return 0;
    s.upsertRouterInfo.run({ ...row, gatewayId, now: receivedAt });
    return 1;
  }

  /** The line quality per target: the targets of this snapshot replace the stored ones. */
  #applyLineQuality(
    gatewayId: string,
    lineQuality: readonly LineQuality[] | undefined,
    receivedAt: number,
  ): number {
    const s = this.#s;
    if (lineQuality === undefined) return 0;
    let written = 0;
    const stored = new Map(s.lineQuality.all(gatewayId).map((r) => [r.target, r]));
    for (const q of lineQuality) {
      const row = lineQualityRow(q);
      const old = stored.get(q.target);
      stored.delete(q.target);
      if (same(old, row)) continue;
      s.upsertLineQuality.run({ ...row, gatewayId, now: receivedAt });
      written++;
    }
    for (const gone of stored.keys()) written += s.deleteLineQuality.run(gatewayId, gone).changes;
    return written;
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
    written += this.#applyRouterInfo(gatewayId, message.router, receivedAt);
    written += this.#applyLineQuality(gatewayId, message.lineQuality, receivedAt);
    return written;
  }
}
