// `pairbench dev`: the whole system on this machine — what `make dev` runs. It is
// `pairbench run --stack dev`: the emulated lab up (when it is not running), `pulumi up --stack
// dev` with progress, the results table and the reports, then destroy and lab down (unless
// --keep).
import { runRun } from "./run";

type Print = (text: string) => void;

export interface DevOptions {
    /** Leave the stack and the lab up afterwards. */
    readonly keep?: boolean;
    readonly verbose?: boolean;
}

export async function runDev(projectDir: string, opts: DevOptions, out: Print): Promise<void> {
    await runRun(projectDir, { stack: "dev", ...(opts.keep ? { keep: true } : {}), ...(opts.verbose ? { verbose: true } : {}) }, out);
}
