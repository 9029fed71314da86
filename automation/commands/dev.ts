// `pairbench dev`: the whole system on this machine — emulated lab up, `pulumi up --stack dev`
// through the Automation API, the results table and JSON, then destroy and lab down (unless
// --keep). What `make dev` runs.
import * as fs from "fs";
import * as path from "path";
import { Results } from "../../benchmarks/results";
import { CliError, EXIT_FAILED } from "../errors";
import { ProgressPrinter } from "../progress";
import { formatResultsTable } from "../resultsTable";
import { openStack } from "../workspace";
import { runLabDown, runLabUp } from "./lab";

type Print = (text: string) => void;

export interface DevOptions {
    /** Leave the stack and the lab up afterwards. */
    readonly keep?: boolean;
}

const STACK = "dev";

/** Writes the results under .pairbench/results/<stack>/, timestamped and as latest.json. */
export function writeResults(stateDir: string, stack: string, results: Results, now: Date): string {
    const dir = path.join(stateDir, "results", stack);
    fs.mkdirSync(dir, { recursive: true });
    const text = `${JSON.stringify(results, null, 2)}\n`;
    fs.writeFileSync(path.join(dir, `${now.toISOString().replace(/[:.]/g, "-")}.json`), text);
    const latest = path.join(dir, "latest.json");
    fs.writeFileSync(latest, text);
    return latest;
}

export async function runDev(projectDir: string, opts: DevOptions, out: Print): Promise<void> {
    const started = Date.now();
    const phase = (what: string) => out(`== ${what} (${Math.round((Date.now() - started) / 1000)} s)`);
    phase("lab up");
    await runLabUp(projectDir, {}, out);
    let verdict: string | undefined;
    try {
        const runId = new Date().toISOString();
        const { stack, paths } = await openStack(projectDir, STACK, { runId });
        try {
            phase(`pulumi up --stack ${STACK} (run ${runId})`);
            const progress = new ProgressPrinter(process.stdout);
            let up;
            try {
                up = await stack.up({ onEvent: progress.onEvent, color: "never" });
            } finally {
                progress.stop();
            }
            const results = up.outputs["results"]?.value as Results | undefined;
            if (results === undefined) throw new CliError("the dev stack exported no results");
            out(formatResultsTable(results));
            out(`results: ${writeResults(paths.stateDir, STACK, results, new Date())}`);
            verdict = results.verdict;
        } finally {
            if (!opts.keep) {
                phase(`pulumi destroy --stack ${STACK}`);
                const progress = new ProgressPrinter(process.stdout);
                try {
                    await stack.destroy({ onEvent: progress.onEvent, color: "never" });
                } finally {
                    progress.stop();
                }
            }
        }
    } finally {
        if (!opts.keep) {
            phase("lab down");
            await runLabDown(projectDir, out);
        } else {
            out("kept: the dev stack and the lab are up; `pairbench lab down` after `pulumi destroy`");
        }
    }
    phase(`done, verdict ${verdict}`);
    if (verdict === "fail" || verdict === "inconclusive") {
        throw new CliError(`verdict ${verdict}: see the table above`, EXIT_FAILED);
    }
}
