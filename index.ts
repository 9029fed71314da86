// The pairbench Pulumi program: load and validate the stack config (nothing is registered when
// it is invalid), build the environment (libvirt or Azure), run the benchmarks on its pairs
// unless `pairbench:phase` is `pairs`, export the outputs. Keep this file thin: the work is in
// config/, components/ and benchmarks/.
import * as os from "os";
import * as pulumi from "@pulumi/pulumi";
import { BenchmarkSuite, planScenarios, thresholdProfile } from "./benchmarks";
import { ConfigError, loadStackConfig } from "./config";
import { missingStackFiles } from "./components/localFileChecks";
import type { AzureEnvironment } from "./components/azure/azureEnvironment";
import { LibvirtEnvironment } from "./components/libvirtEnvironment";
import { describeStack } from "./components/stackSummary";

const config = loadStackConfig();
const context = { stack: pulumi.getStack(), projectDir: process.cwd(), homeDir: os.homedir() };
// Missing keys or images fail here, naming the field, before anything is registered.
const missingFiles = missingStackFiles(config, context);
if (missingFiles.length > 0) throw new ConfigError(`stack ${context.stack}`, missingFiles);

/** What this stack stands up, as validated: machines, placement and dataplane. */
export const stack = describeStack(config);

/** What the benchmarks will run; a dataplane sets up what the planned scenarios need. */
const scenarios = planScenarios(config);

// Required only for Azure stacks: @pulumi/azure-native alone takes about half a second to load,
// on every preview and up.
const azure = (): typeof import("./components/azure/azureEnvironment") => require("./components/azure/azureEnvironment");
const environment: LibvirtEnvironment | AzureEnvironment =
    config.environment === "libvirt"
        ? new LibvirtEnvironment("pairbench", { config, context, scenarios })
        : new (azure().AzureEnvironment)("pairbench", { config, context });
/** dpservice's hooks into the benchmarks (libvirt stacks with the dpservice dataplane). */
const dataplane = environment instanceof LibvirtEnvironment ? environment.dataplane : undefined;

/** The VMs with their management addresses (libvirt stacks). */
export const machines = environment instanceof LibvirtEnvironment ? environment.machines : undefined;
/** The test-ready pairs: endpoints, addresses and placement, without secrets. */
export const pairs = environment.pairSummaries;
/** When the reaper may delete the stack's Azure resources (the `pairbench:expiresAt` tag). */
export const expiresAt = environment instanceof LibvirtEnvironment ? undefined : environment.expiresAt;

/** The benchmarks between the test-ready machines; their outputs are the measurements. */
const suite =
    config.phase === "all"
        ? new BenchmarkSuite("pairbench-bench", {
              scenarios,
              endpoints: environment.endpoints,
              runId: config.runId,
              context: {
                  stack: pulumi.getStack(),
                  environment: config.environment,
                  dataplane: stack.dataplane,
                  // dpservice offload is measured against the hw thresholds, everything else sw.
                  thresholds: thresholdProfile(config),
                  ...dataplane?.context,
              },
              // NAT and LB scenarios wait for their dpservice objects; a new dpservice (other
              // mode, image or a restart) runs every benchmark again.
              ...(dataplane ? { scenarioDependsOn: dataplane.scenarioDependsOn, rerunOn: dataplane.rerunOn } : {}),
          })
        : undefined;

/** Results per scenario (docs/results-schema.md); absent with phase `pairs`. */
export const results = suite?.results;
/** Overall verdict: pass, fail or inconclusive. */
export const verdict = suite?.verdict;
