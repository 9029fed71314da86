// The pairbench Pulumi program: load and validate the stack config (nothing is registered when
// it is invalid), build the environment, export the outputs. Keep this file thin: the work is
// in config/, components/ and benchmarks/.
import { loadStackConfig } from "./config";
import { describeStack } from "./components/stackSummary";

const config = loadStackConfig();

/** What this stack stands up, as validated: machines, placement and dataplane. */
export const stack = describeStack(config);
