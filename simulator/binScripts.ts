/**
 * The `iw`, `ip`, `bridge`, `ubus`, `nlbw`, `conntrack` and `ping` executables of a simulated gateway
 * (`DIR/<gatewayId>/bin`): tiny POSIX shell scripts that print the output the simulator rendered
 * into `../.sim/` on its last tick, chosen by their arguments. Unsupported arguments fail with a usage line on stderr and
 * exit 1; an unknown Wi-Fi interface fails as iw does (`No such device`, exit 237).
 */

export const IW_SCRIPT = `#!/bin/sh
# Simulated iw (leaseline simulator): prints what the simulator rendered into ../.sim on its last tick.
# The agent runs commands with only the gateway root's bin dirs on PATH; the tools used here are the host's.
PATH=/usr/bin:/bin
sim="$(dirname "$0")/../.sim"
usage() {
  printf 'Usage:\\tiw [options] dev <devname> { info | station dump | survey dump }\\n' >&2
  exit 1
}
[ $# -eq 0 ] && usage
[ "$1" = "--version" ] && { echo "iw version 6.9"; exit 0; }
if [ "$1" = "dev" ]; then
  shift
  [ $# -eq 0 ] && exec cat "$sim/iw-dev.txt"
fi
dev="$1"
shift
case "$*" in
  "info") what=info ;;
  "station dump") what=station-dump ;;
  "survey dump") what=survey-dump ;;
  *) usage ;;
esac
case "$dev" in
  ""|*/*|.*) dev=none ;;
esac
file="$sim/iw-$dev-$what.txt"
[ -f "$file" ] || { echo "command failed: No such device (-19)" >&2; exit 237; }
exec cat "$file"
`;

export const IP_SCRIPT = `#!/bin/sh
# Simulated ip (leaseline simulator): \`ip [-j] [-4|-6] neigh [show]\` and \`ip -j addr [show] [[dev] IF]\` from ../.sim.
# The agent runs commands with only the gateway root's bin dirs on PATH; the tools used here are the host's.
PATH=/usr/bin:/bin
sim="$(dirname "$0")/../.sim"
usage() {
  printf 'Usage: ip [ -j ] [ -4 | -6 ] neigh [ show ]\\n       ip -j addr [ show ] [ [ dev ] IFNAME ]\\n' >&2
  exit 1
}
json=
family=
while [ $# -gt 0 ]; do
  case "$1" in
    -V|-Version) echo "ip utility, iproute2-6.1.0"; exit 0 ;;
    -j|-json) json=1 ;;
    -4) family=-4 ;;
    -6) family=-6 ;;
    -*) usage ;;
    *) break ;;
  esac
  shift
done
case "$1" in
  n|ne|nei|neigh|neighbor|neighbour) shift ;;
  a|ad|add|addr|addre|addres|address)
    shift
    [ -n "$json" ] && [ -z "$family" ] || usage
    case "$1" in show|list|ls) shift ;; esac
    [ "$1" = dev ] && [ $# -eq 2 ] && shift
    [ $# -eq 0 ] && exec cat "$sim/ip-addr.json"
    [ $# -eq 1 ] || usage
    case "$1" in
      ""|*/*|.*) file= ;;
      *) file="$sim/ip-addr-$1.json" ;;
    esac
    [ -n "$file" ] && [ -f "$file" ] || { printf 'Device "%s" does not exist.\\n' "$1" >&2; exit 1; }
    exec cat "$file"
    ;;
  *) usage ;;
esac
case "$*" in
  ""|show|list|ls) ;;
  *) usage ;;
esac
if [ -n "$json" ]; then exec cat "$sim/ip$family-neigh.json"; fi
exec cat "$sim/ip$family-neigh.txt"
`;

/** `ubus call system board` (OpenWrt gateways); any other call is refused as ubus refuses what it cannot do. */
export const UBUS_SCRIPT = `#!/bin/sh
# Simulated ubus (leaseline simulator): \`ubus call system board\` from ../.sim.
# The agent runs commands with only the gateway root's bin dirs on PATH; the tools used here are the host's.
PATH=/usr/bin:/bin
sim="$(dirname "$0")/../.sim"
if [ $# -eq 0 ]; then
  echo 'Usage: ubus [<options>] <command> [arguments...]' >&2
  exit 1
fi
[ "$*" = "call system board" ] && exec cat "$sim/ubus-system-board.json"
echo 'Command failed: Not supported' >&2
exit 8
`;

export const BRIDGE_SCRIPT = `#!/bin/sh
# Simulated bridge (leaseline simulator): \`bridge [-j] fdb [show]\` from ../.sim.
# The agent runs commands with only the gateway root's bin dirs on PATH; the tools used here are the host's.
PATH=/usr/bin:/bin
sim="$(dirname "$0")/../.sim"
usage() {
  echo 'Usage: bridge [ -j ] fdb [ show ]' >&2
  exit 1
}
json=
while [ $# -gt 0 ]; do
  case "$1" in
    -V|-Version) echo "bridge utility, iproute2-6.1.0"; exit 0 ;;
    -j|-json) json=1 ;;
    -*) usage ;;
    *) break ;;
  esac
  shift
done
[ "$1" = "fdb" ] || usage
shift
case "$*" in
  ""|show|list|ls) ;;
  *) usage ;;
esac
if [ -n "$json" ]; then exec cat "$sim/bridge-fdb.json"; fi
exec cat "$sim/bridge-fdb.txt"
`;

/**
 * `nlbw -c json`, `nlbw -c csv` and `nlbw -c json -g host` (OpenWrt gateways): nlbwmon's table
 * for the current period, by nlbw's default grouping or by host.
 */
export const NLBW_SCRIPT = `#!/bin/sh
# Simulated nlbw (leaseline simulator): \`nlbw -c json|csv\`, \`nlbw -c json -g host\` from ../.sim.
# The agent runs commands with only the gateway root's bin dirs on PATH; the tools used here are the host's.
PATH=/usr/bin:/bin
sim="$(dirname "$0")/../.sim"
case "$*" in
  "-c json") exec cat "$sim/nlbw.json" ;;
  "-c csv") exec cat "$sim/nlbw.csv" ;;
  "-c json -g host") exec cat "$sim/nlbw-host.json" ;;
esac
echo 'Usage: nlbw [-c {json|csv}] [-g host]' >&2
exit 1
`;

/**
 * \`conntrack -L [-o extended]\` (Debian-style gateways), with conntrack-tools' summary on stderr.
 * Plain -L is the extended listing without its layer-3 columns.
 */
export const CONNTRACK_SCRIPT = `#!/bin/sh
# Simulated conntrack (leaseline simulator): \`conntrack -L [-o extended]\` from ../.sim.
# The agent runs commands with only the gateway root's bin dirs on PATH; the tools used here are the host's.
PATH=/usr/bin:/bin
sim="$(dirname "$0")/../.sim"
list="$sim/conntrack-extended.txt"
case "$*" in
  "-V"|"--version") echo "conntrack v1.4.7 (conntrack-tools)"; exit 0 ;;
  "-L -o extended") cat "$list" ;;
  "-L") sed 's/^ipv[46] *[0-9]* //' "$list" ;;
  *) echo 'conntrack v1.4.7 (conntrack-tools): simulated conntrack supports only -L [-o extended]' >&2; exit 2 ;;
esac
n=$(wc -l < "$list")
echo "conntrack v1.4.7 (conntrack-tools): $((n)) flow entries have been shown." >&2
`;

/**
 * \`ping -c 3 -W SECONDS HOST\` as iputils or BusyBox prints it. Nothing is sent: the script prints the
 * round trips the simulator rendered for the WAN gateway (\`.sim/ping-ADDRESS.txt\`) or, for any other
 * host, one of four distance classes (\`.sim/ping-far-K.txt\`, K from the address's cksum). Names
 * resolve to 198.51.100.0/24 by their cksum, except under \`.invalid\`. Mirrored by memoryCommands.ts.
 */
export function pingScript(tool: "iputils" | "busybox"): string {
  const iputils = tool === "iputils";
  return `#!/bin/sh
# Simulated ping (leaseline simulator, ${iputils ? "iputils" : "BusyBox"} output): prints, never sends.
# The agent runs commands with only the gateway root's bin dirs on PATH; the tools used here are the host's.
PATH=/usr/bin:/bin
sim="$(dirname "$0")/../.sim"
usage() {
  ${iputils ? `printf '\\nUsage\\n  ping [options] <destination>\\n' >&2\n  exit 2` : `printf 'BusyBox v1.36.1 multi-call binary.\\n\\nUsage: ping [OPTIONS] HOST\\n' >&2\n  exit 1`}
}
fail() {
  ${iputils ? `echo "ping: $1: $2" >&2\n  exit 2` : `echo "ping: bad address '$1'" >&2\n  exit 1`}
}
if [ "$*" = "-V" ]; then
  ${iputils ? `echo "ping from iputils 20221126"\n  exit 0` : `echo "ping: unrecognized option: V" >&2\n  usage`}
fi
count=
while [ $# -gt 1 ]; do
  case "$1" in
    -c) count="$2" ;;
    -W) case "$2" in ""|*[!0-9]*) usage ;; esac ;;
    *) usage ;;
  esac
  shift 2
done
[ $# -eq 1 ] && [ "$count" = 3 ] || usage
host="$1"
case "$host" in
  ""|-*|*[!A-Za-z0-9.:-]*) fail "$host" "Name or service not known" ;;
  *:*[!0-9a-f:]*|*[!0-9a-f:]*:*) fail "$host" "Name or service not known" ;;
  *:*) addr="$host" ;;
  *.invalid|*.invalid.) fail "$host" "Name or service not known" ;;
  *[!0-9.]*)
    set -- $(printf %s "$host" | cksum)
    addr="198.51.100.$(($1 % 254 + 1))"
    ;;
  *) addr="$host" ;;
esac
body="$sim/ping-$addr.txt"
if [ ! -f "$body" ]; then
  set -- $(printf %s "$addr" | cksum)
  body="$sim/ping-far-$(($1 % 4)).txt"
fi
${
  iputils
    ? `case "$addr" in
  *:*) printf 'PING %s(%s) 56 data bytes\\n' "$host" "$addr" ;;
  *) printf 'PING %s (%s) 56(84) bytes of data.\\n' "$host" "$addr" ;;
esac`
    : `printf 'PING %s (%s): 56 data bytes\\n' "$host" "$addr"`
}
sed -e "s|@ADDR@|$addr|g" -e "s|@TARGET@|$host|g" "$body"
# ping exits 1 when no reply came back.
grep -q ' from ' "$body"
`;
}
