/**
 * The Node flags the agent runs with on a gateway, as in deploy/leaseline-agent.service and
 * deploy/openwrt/leaseline-agent.init, for the benchmarks that measure the agent as deployed.
 * `--lite-mode` (no optimising compiler) saves memory and costs CPU: the benchmarks show how much.
 */
export const DEPLOY_NODE_FLAGS = [
  "--max-old-space-size=24",
  "--max-semi-space-size=1",
  "--lite-mode",
  "--no-expose-wasm",
] as const;

/** The same without `--lite-mode`: the heap limits alone. */
export const DEPLOY_NODE_FLAGS_WITHOUT_LITE_MODE = DEPLOY_NODE_FLAGS.filter((f) => f !== "--lite-mode");
