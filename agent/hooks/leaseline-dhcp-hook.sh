#!/bin/sh
# Leaseline DHCP hook: hands a lease event to the running agent as one small file in a spool
# directory, and nothing else. POSIX sh (BusyBox ash, dash): no bashisms.
#
# It never fails or delays the DHCP server: every path exits 0, nothing is printed (dnsmasq reads
# the script's output for "init"), nothing waits on the network or the agent. Events are dropped,
# not queued, when the spool directory is missing (no agent) or already holds MAX_FILES files (the
# agent is not keeping up); a drop leaves a `.overflow` marker the agent counts.
#
# Spool: $LEASELINE_SPOOL, default /tmp/leaseline/spool, created by the agent (not here: a
# missing directory means nobody is listening). Each event is written to a dot-file and renamed
# into place, so the agent never reads half a file. Name: <epoch-ns>-<pid>-<seq><rand> (19
# digits, 10 digits, 3 digits, 8 hex digits), which sorts in the order the events happened.
# Content: `key=value` lines (v=1 first); a backslash, newline or carriage return inside a value
# is written as \\, \n, \r.
#
# dnsmasq:   --dhcp-script=/usr/lib/leaseline/leaseline-dhcp-hook.sh
#            (called as `add|old|del MAC IP [HOSTNAME]` with DNSMASQ_* variables)
# Kea:       "hooks-libraries": [{ "library": "/usr/lib/kea/hooks/libdhcp_run_script.so",
#              "parameters": { "name": "/usr/lib/leaseline/leaseline-dhcp-hook.sh", "sync": false } }]
#            (called as `leases4_committed|lease4_renew|lease4_release|lease4_expire|...` with
#            LEASES4_AT<n>_*, LEASE4_*, QUERY4_* variables)
# ISC dhcpd: on commit {
#              execute("/usr/lib/leaseline/leaseline-dhcp-hook.sh", "commit",
#                binary-to-ascii(16, 8, ":", substring(hardware, 1, 6)),
#                binary-to-ascii(10, 8, ".", leased-address),
#                pick-first-value(option host-name, ""),
#                pick-first-value(option vendor-class-identifier, ""),
#                pick-first-value(binary-to-ascii(10, 8, ",", option dhcp-parameter-request-list), ""));
#            }
#            and the same with "release" in `on release` and "expiry" in `on expiry` (MAC and IP).

# The agent deletes files as it reads them; this many waiting means it is not running or stuck.
MAX_FILES=1000

spool=${LEASELINE_SPOOL:-/tmp/leaseline/spool}
[ -d "$spool" ] && [ -w "$spool" ] || exit 0
umask 077

nl='
'
cr=$(printf '\r')

# put KEY VALUE: one line, escaped only when needed (no extra process in the common case).
put() {
	[ -n "$2" ] || return 0
	case $2 in
	*\\* | *"$nl"* | *"$cr"*)
		printf '%s=%s\n' "$1" "$(printf '%s' "$2" | sed -e 's/\\/\\\\/g' -e "s/$cr/\\\\r/g" | sed -e ':a' -e 'N' -e '$!ba' -e 's/\n/\\n/g')"
		;;
	*) printf '%s=%s\n' "$1" "$2" ;;
	esac
}

server=''
action=''
case ${1:-} in
add | old | del) server=dnsmasq action=$1 ;;
leases4_committed) server=kea action=commit ;;
lease4_renew) server=kea action=old ;;
lease4_recover) server=kea action=commit ;;
lease4_release) server=kea action=release ;;
lease4_expire) server=kea action=expire ;;
lease4_decline) server=kea action=del ;;
commit) server=isc action=commit ;;
release) server=isc action=release ;;
expiry) server=isc action=expire ;;
*) exit 0 ;; # dnsmasq init/tftp/arp-*, DHCPv6 hook points: not lease events for us
esac

# Count what is waiting (dot-files are writes in progress and markers).
count=0
for f in "$spool"/*; do
	[ -e "$f" ] && count=$((count + 1))
done
if [ "$count" -ge "$MAX_FILES" ]; then
	: >"$spool/.overflow" 2>/dev/null
	exit 0
fi

ns=$(date +%s%N 2>/dev/null)
case $ns in
*[!0-9]* | "") ns=$(date +%s)000000000 ;; # date without %N (older BusyBox)
esac
pid=$(printf '%010d' "$$")
# Eight random hex digits without starting a process.
uuid=
read -r uuid </proc/sys/kernel/random/uuid 2>/dev/null
rand=${uuid%%-*}
case $rand in ????????) ;; *) rand=00000000 ;; esac
seq=0
now=${ns%?????????}

# event: the event in the variables below as key=value lines.
event() {
	put v 1
	put server "$server"
	put action "$action"
	put mac "$mac"
	put ip "$ip"
	put hostname "$hostname"
	put vendor_class "$vendor_class"
	put requested_options "$requested_options"
	put client_id "$client_id"
	put interface "$interface"
	put expires "$expires"
	put remaining "$remaining"
	put cltt "$cltt"
	put lifetime "$lifetime"
	put tags "$tags"
	put time "$now"
}

# emit: writes one event file: a dot-file first, renamed into place when complete.
emit() {
	seq=$((seq + 1))
	name=$ns-$pid-$(printf '%03d' "$seq")$rand
	tmp=$spool/.tmp-$name
	if ! event >"$tmp" 2>/dev/null || ! mv -f "$tmp" "$spool/$name" 2>/dev/null; then
		rm -f "$tmp" 2>/dev/null
	fi
}

mac='' ip='' hostname='' vendor_class='' requested_options='' client_id='' interface=''
expires='' remaining='' cltt='' lifetime='' tags=''

case $server in
dnsmasq)
	ip=${3:-}
	hostname=${4:-${DNSMASQ_SUPPLIED_HOSTNAME:-}}
	if [ -n "${DNSMASQ_IAID:-}" ]; then
		# DHCPv6: the second argument is the client's DUID; the MAC only when dnsmasq knows it.
		mac=${DNSMASQ_MAC:-}
		client_id=${2:-}
	else
		mac=${2:-}
		client_id=${DNSMASQ_CLIENT_ID:-}
		vendor_class=${DNSMASQ_VENDOR_CLASS:-}
	fi
	requested_options=${DNSMASQ_REQUESTED_OPTIONS:-}
	interface=${DNSMASQ_INTERFACE:-}
	expires=${DNSMASQ_LEASE_EXPIRES:-}
	remaining=${DNSMASQ_TIME_REMAINING:-}
	tags=${DNSMASQ_TAGS:-}
	emit
	;;
kea)
	interface=${QUERY4_IFACE_NAME:-}
	if [ "$1" = leases4_committed ]; then
		# One event per committed lease, then one "del" per lease the commit replaced.
		for list in LEASES4 DELETED_LEASES4; do
			[ "$list" = DELETED_LEASES4 ] && action=del
			eval "size=\${${list}_SIZE:-0}"
			case $size in *[!0-9]* | "") size=0 ;; esac
			i=0
			while [ "$i" -lt "$size" ] && [ "$i" -lt 16 ]; do
				eval "ip=\${${list}_AT${i}_ADDRESS:-}"
				eval "mac=\${${list}_AT${i}_HWADDR:-}"
				eval "hostname=\${${list}_AT${i}_HOSTNAME:-}"
				eval "client_id=\${${list}_AT${i}_CLIENT_ID:-}"
				eval "cltt=\${${list}_AT${i}_CLTT:-}"
				eval "lifetime=\${${list}_AT${i}_VALID_LIFETIME:-}"
				emit
				i=$((i + 1))
			done
		done
	else
		ip=${LEASE4_ADDRESS:-}
		mac=${LEASE4_HWADDR:-}
		hostname=${LEASE4_HOSTNAME:-}
		client_id=${LEASE4_CLIENT_ID:-}
		cltt=${LEASE4_CLTT:-}
		lifetime=${LEASE4_VALID_LIFETIME:-}
		emit
	fi
	;;
isc)
	mac=${2:-}
	ip=${3:-}
	hostname=${4:-}
	vendor_class=${5:-}
	requested_options=${6:-}
	emit
	;;
esac
exit 0
