/**
 * The `iw`, `ip` and `bridge` executables of a simulated gateway (`DIR/<gatewayId>/bin`): tiny
 * POSIX shell scripts that print the output the simulator rendered into `../.sim/` on its last
 * tick, chosen by their arguments. Unsupported arguments fail with a usage line on stderr and
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
# Simulated ip (leaseline simulator): \`ip [-j] [-4|-6] neigh [show]\` from ../.sim.
# The agent runs commands with only the gateway root's bin dirs on PATH; the tools used here are the host's.
PATH=/usr/bin:/bin
sim="$(dirname "$0")/../.sim"
usage() {
  echo 'Usage: ip [ -j ] [ -4 | -6 ] neigh [ show ]' >&2
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
  *) usage ;;
esac
case "$*" in
  ""|show|list|ls) ;;
  *) usage ;;
esac
if [ -n "$json" ]; then exec cat "$sim/ip$family-neigh.json"; fi
exec cat "$sim/ip$family-neigh.txt"
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
