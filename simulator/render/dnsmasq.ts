/**
 * dnsmasq lease file (`/tmp/dhcp.leases` on OpenWrt): `<expiry> <mac> <ip> <hostname|*> <client-id|*>`,
 * newest lease first, expiry in seconds on the gateway's clock (0 would mean infinite); and the
 * configuration OpenWrt generates for dnsmasq, whose `dhcp-range` is the LAN's pool.
 */
import type { GatewayModel } from "../model.js";

export function renderDnsmasqLeases(model: GatewayModel): string {
  let out = "";
  for (const l of model.leases) {
    out += `${l.expiresSec} ${l.mac} ${l.ip} ${l.hostname ?? "*"} ${l.clientId ?? "*"}\n`;
  }
  return out;
}

/** dnsmasq's lease time as OpenWrt's configuration writes it (`12h`, `10m`, or seconds). */
function leaseTime(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return String(seconds);
}

/** Where OpenWrt's dnsmasq init script writes the configuration it generates from /etc/config/dhcp. */
export const OPENWRT_DNSMASQ_CONF = "var/etc/dnsmasq.conf.cfg01411c";

/**
 * The configuration OpenWrt 23.05/24.10 generates for its default dnsmasq instance (its lines in
 * their order, as /etc/init.d/dnsmasq writes them), with the LAN's pool as `dhcp-range`.
 */
export function renderOpenwrtDnsmasqConf(model: GatewayModel): string {
  const { start, end } = model.dhcp.pool;
  return (
    "# auto-generated config file from /etc/config/dhcp\n" +
    "conf-file=/etc/dnsmasq.conf\n" +
    "dhcp-authoritative\ndomain-needed\nlocalise-queries\nread-ethers\nenable-ubus=dnsmasq\nexpand-hosts\n" +
    "bind-dynamic\nlocal-service\nedns-packet-max=1232\ndomain=lan\nlocal=/lan/\naddn-hosts=/tmp/hosts\n" +
    "dhcp-leasefile=/tmp/dhcp.leases\nresolv-file=/tmp/resolv.conf.d/resolv.conf.auto\nstop-dns-rebind\n" +
    "rebind-localhost-ok\ndhcp-broadcast=tag:needs-broadcast\nconf-dir=/tmp/dnsmasq.cfg01411c.d\n" +
    "user=dnsmasq\ngroup=dnsmasq\n\n" +
    "dhcp-ignore-names=tag:dhcp_bogus_hostname\n\n" +
    "bogus-priv\nconf-file=/usr/share/dnsmasq/rfc6761.conf\n" +
    `dhcp-range=set:lan,${start},${end},${model.lan.netmaskIp},${leaseTime(model.leaseSeconds)}\n` +
    "no-dhcp-interface=eth1\n"
  );
}

/**
 * The files OpenWrt's generated configuration includes with conf-file, as the dnsmasq package
 * installs them: /etc/dnsmasq.conf holds only commented-out examples (shortened here), and
 * rfc6761.conf keeps special-use domains from being forwarded. dnsmasq will not start without them.
 */
export const OPENWRT_DNSMASQ_INCLUDED_FILES: readonly [string, string][] = [
  [
    "etc/dnsmasq.conf",
    "# Change the following lines if you want dnsmasq to serve SRV\n# records.\n" +
      "# You may add multiple srv-host lines.\n" +
      "# The fields are <name>,<target>,<port>,<priority>,<weight>\n\n" +
      "# A SRV record sending LDAP for the example.com domain to\n# ldapserver.example.com port 389\n" +
      "#srv-host=_ldap._tcp.example.com,ldapserver.example.com,389\n",
  ],
  [
    "usr/share/dnsmasq/rfc6761.conf",
    "# RFC6761 included configuration file for dnsmasq\n#\n" +
      "# includes a list of domains that should not be forwarded to Internet name servers\n" +
      "# to reduce burden on them, asking questions that they won't know the answer to.\n\n" +
      "server=/bind/\nserver=/invalid/\nserver=/local/\nserver=/localhost/\nserver=/onion/\nserver=/test/\n",
  ],
];
