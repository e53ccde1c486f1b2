/**
 * dnsmasq lease file (`/tmp/dhcp.leases` on OpenWrt): `<expiry> <mac> <ip> <hostname|*> <client-id|*>`,
 * newest lease first, expiry in seconds on the gateway's clock (0 would mean infinite).
 */
import type { GatewayModel } from "../model.js";

export function renderDnsmasqLeases(model: GatewayModel): string {
  let out = "";
  for (const l of model.leases) {
    out += `${l.expiresSec} ${l.mac} ${l.ip} ${l.hostname ?? "*"} ${l.clientId ?? "*"}\n`;
  }
  return out;
}
