// Exit codes of the pairbench CLI, shared by every command.
export const EXIT_OK = 0;
/** A check failed: invalid config, a benchmark verdict failed or was inconclusive. */
export const EXIT_FAILED = 1;
/** Infrastructure, usage or configuration-file error. */
export const EXIT_ERROR = 2;

/** An error the CLI reports as one message (no stack trace) with a given exit code. */
export class CliError extends Error {
    constructor(
        message: string,
        readonly exitCode: number = EXIT_ERROR,
    ) {
        super(message);
        this.name = "CliError";
    }
}
