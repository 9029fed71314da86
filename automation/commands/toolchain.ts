// `pairbench env` and `pairbench doctor`: the hermetic Pulumi environment and what was found.
import { doctor, formatDoctor } from "../doctor";
import { prepareEnvironment, shellExports } from "../environment";
import { CliError, EXIT_FAILED } from "../errors";

/** Shell exports of the environment every Pulumi invocation of the project uses. */
export function runEnv(projectDir: string, out: (text: string) => void): void {
    out(shellExports(prepareEnvironment(projectDir).vars));
}

export async function runDoctor(projectDir: string, opts: { json?: boolean }, out: (text: string) => void): Promise<void> {
    const report = await doctor(projectDir);
    out(opts.json ? JSON.stringify(report, null, 2) : formatDoctor(report));
    if (!report.ok) {
        throw new CliError("required parts are missing (see the fix hints above)", EXIT_FAILED);
    }
}
