// The pairbench Pulumi program: load and validate the stack config (nothing is registered when
// it is invalid), build the environment, export the outputs. Keep this file thin: the work is
// in config/, components/ and benchmarks/.
import * as os from "os";
import * as pulumi from "@pulumi/pulumi";
import { BenchmarkSuite, planScenarios, thresholdProfile } from "./benchmarks";
import { loadStackConfig } from "./config";
import { LibvirtEnvironment } from "./components/libvirtEnvironment";
import { describeStack } from "./components/stackSummary";

const config = loadStackConfig();

/** What this stack stands up, as validated: machines, placement and dataplane. */
export const stack = describeStack(config);

/** What the benchmarks will run; the dataplane sets up what the planned scenarios need. */
const scenarios = planScenarios(config);

const libvirt =
    config.environment === "libvirt"
        ? new LibvirtEnvironment("pairbench", {
              config,
              context: { stack: pulumi.getStack(), projectDir: process.cwd(), homeDir: os.homedir() },
              scenarios,
          })
        : undefined;

/** The VMs with their management addresses (libvirt stacks). */
export const machines = libvirt?.machines;
/** The test-ready pairs: endpoints, addresses and placement, without secrets. */
export const pairs = libvirt?.pairSummaries;

/** The benchmarks between the test-ready machines; their outputs are the measurements. */
const suite = libvirt
    ? new BenchmarkSuite("pairbench-bench", {
          scenarios,
          endpoints: libvirt.endpoints,
          runId: config.runId,
          context: {
              stack: pulumi.getStack(),
              environment: config.environment,
              dataplane: stack.dataplane,
              // dpservice offload is measured against the hw thresholds, everything else sw.
              thresholds: thresholdProfile(config),
              ...libvirt.dataplane.context,
          },
          // NAT and LB scenarios wait for their dpservice objects; a new dpservice (other mode,
          // image or a restart) runs every benchmark again.
          scenarioDependsOn: libvirt.dataplane.scenarioDependsOn,
          rerunOn: libvirt.dataplane.rerunOn,
      })
    : undefined;

/** Results per scenario (docs/results-schema.md). */
export const results = suite?.results;
/** Overall verdict: pass, fail or inconclusive. */
export const verdict = suite?.verdict;
