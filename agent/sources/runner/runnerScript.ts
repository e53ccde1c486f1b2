/**
 * The command runner: a fixed POSIX shell script, started once and fed one command at a time,
 * so the agent (tens of MB, whose every fork copies its page tables) does not fork itself for
 * each `iw` or `ip`. The shell is /bin/sh: BusyBox ash on OpenWrt, dash on Debian.
 *
 * A request on stdin is a line with the argument count, then one line per argument, the first
 * being the executable's absolute path (the agent resolves it). Arguments are read with `read -r`
 * into `set --` and run as `"$@"`: they are data, never shell text, so nothing in them (spaces,
 * quotes, `$(...)`, `;`) is interpreted. An argument cannot contain a newline (the agent never
 * sends one). The command runs in the foreground, its output in two files of the runner's
 * private directory, and the runner answers `X <exit status>` on stdout once it has ended (128 + n
 * for signal n). The command is the runner's only child: on a timeout the agent finds its pid in
 * /proc and kills it (a pid file written for every command, or a background job and `wait`,
 * would cost the runner about half its CPU per command, for the rare timeout).
 *
 * `ulimit -f` caps what a command can write (SIGXFSZ past it), as execFile's maxBuffer did; the
 * agent checks the size again. The runner works only with builtins; at end of input (the agent
 * closed it or died) it removes its directory, and a write to a dead agent (SIGPIPE) does too.
 * A caught signal is reset to the default on exec, so commands get SIGPIPE as usual.
 *
 * Positional parameters: $1 the private directory, $2 the output cap in 512-byte blocks, $3 the
 * PATH under which `rm` is found for the clean-up (commands themselves get the agent's PATH).
 */
export const RUNNER_SCRIPT = `umask 077
ulimit -f "$2" 2>/dev/null
leaseline_dir=$1 leaseline_out=$1/out leaseline_err=$1/err leaseline_path=$3
leaseline_cleanup() { PATH=$leaseline_path rm -rf -- "$leaseline_dir"; exit 0; }
trap leaseline_cleanup PIPE
while IFS= read -r leaseline_n; do
  case $leaseline_n in ''|*[!0-9]*) break ;; esac
  set --
  while [ "$leaseline_n" -gt 0 ]; do
    IFS= read -r leaseline_arg || break 2
    set -- "$@" "$leaseline_arg"
    leaseline_n=$((leaseline_n - 1))
  done
  "$@" </dev/null >"$leaseline_out" 2>"$leaseline_err"
  echo "X $?"
done
leaseline_cleanup
`;

/** Name the runner gives itself ($0), as seen in `ps`. */
export const RUNNER_NAME = "leaseline-command-runner";

/** `ulimit -f` counts 512-byte blocks (POSIX; bash too when it runs as sh). One more than the cap, so "more than the cap" is visible. */
export function outputCapBlocks(maxBytes: number): number {
  return Math.floor(maxBytes / 512) + 1;
}
