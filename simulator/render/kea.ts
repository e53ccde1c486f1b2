/**
 * Kea DHCPv4 memfile (`/var/lib/kea/kea-leases4.csv`): a CSV log where each change appends a row.
 * `expire` is the last transaction plus `valid_lifetime`; a released lease is appended with
 * lifetime 0; a reclaimed one with state 2 (expired-reclaimed). Lease file cleanup rewrites the
 * file hourly with only the live leases. Commas inside fields would be written as `&#x2c`.
 * And the server's configuration (`/etc/kea/kea-dhcp4.conf`), whose pool is the LAN's.
 */
import type { GatewayModel, JournalEntry } from "../model.js";

export const KEA_HEADER =
  "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id\n";

export function renderKeaLeases(model: GatewayModel): string {
  let out = KEA_HEADER;
  for (const entry of model.journal) out += row(entry);
  return out;
}

const escapeCommas = (s: string) => s.replaceAll(",", "&#x2c");

function row(entry: JournalEntry): string {
  const l = entry.lease;
  let lifetime = l.leaseSeconds;
  let expire = l.expiresSec;
  let state = 0;
  let hostname = l.hostname ?? "";
  if (entry.state === "released") {
    lifetime = 0;
    expire = entry.atSec;
  } else if (entry.state === "expired" || entry.state === "free") {
    state = 2;
    hostname = "";
  }
  return `${l.ip},${l.mac},${l.clientId ?? ""},${lifetime},${expire},1,0,0,${escapeCommas(hostname)},${state},,0\n`;
}

/** Debian's path of the DHCPv4 server's configuration. */
export const KEA_DHCP4_CONF = "etc/kea/kea-dhcp4.conf";

/** The DHCPv4 server's configuration as a Debian gateway keeps it (JSON with comments): the LAN, its pool. */
export function renderKeaDhcp4Conf(model: GatewayModel): string {
  const { lan } = model;
  const { start, end } = model.dhcp.pool;
  const config = {
    Dhcp4: {
      "interfaces-config": { interfaces: ["br-lan"] },
      "lease-database": { type: "memfile", "lfc-interval": 3600 },
      "valid-lifetime": model.leaseSeconds,
      subnet4: [
        {
          id: 1,
          subnet: `${lan.networkIp}/${lan.prefixLength}`,
          pools: [{ pool: `${start} - ${end}` }],
          "option-data": [{ name: "routers", data: lan.gatewayIp }],
        },
      ],
    },
  };
  return `// Kea DHCPv4 server of this gateway's LAN.\n${JSON.stringify(config, null, 4)}\n`;
}
