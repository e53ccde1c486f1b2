/**
 * The Node flags the agent runs with on a gateway, as in deploy/leaseline-agent.service and
 * deploy/openwrt/leaseline-agent.init (test/agentBundle.e2e.test.ts checks they match), for the
 * benchmarks that measure the agent as deployed. `--lite-mode` (no optimising compiler, no JIT)
 * saves memory and costs CPU: the benchmarks show how much. Keeping the JIT costs about 9 MB
 * resident at 250 devices (TurboFan's own machine code in the node binary, about 4 MB, plus
 * optimised code and its feedback), which the 60 MB budget does not have: see deploy/README.md.
 */
export const DEPLOY_NODE_FLAGS = [
  "--max-old-space-size=24",
  "--max-semi-space-size=1",
  "--lite-mode",
  "--no-expose-wasm",
] as const;

/** The same without `--lite-mode`: the heap limits alone. */
export const DEPLOY_NODE_FLAGS_WITHOUT_LITE_MODE = DEPLOY_NODE_FLAGS.filter((f) => f !== "--lite-mode");

/**
 * The environment the systemd unit gives the agent. glibc's malloc keeps an arena per thread that
 * allocates (V8's GC and compiler threads too), each holding on to freed memory; two are enough.
 * OpenWrt's musl libc has no per-thread arenas and ignores the variable.
 */
export const DEPLOY_ENV = { MALLOC_ARENA_MAX: "2" } as const;
