// The one place where values become shell text. Every remote or local command that includes a
// config value is built from an argv array here; nothing else in the project concatenates shell
// strings from config. Pure: no Pulumi types (components lift Inputs with pulumi.all/apply).
import { quote } from "shell-quote";

/** One argument, quoted so the shell passes it through unchanged. */
export function shellArg(value: string | number): string {
    const text = String(value);
    if (text.includes("\0")) throw new Error("a shell argument cannot contain a NUL byte");
    // shell-quote leaves the empty string unquoted; it must stay one (empty) argument.
    return text === "" ? "''" : quote([text]);
}

/** An argv array as one shell command line. */
export function shellCommand(argv: ReadonlyArray<string | number>): string {
    if (argv.length === 0) throw new Error("a command needs at least the program name");
    return argv.map(shellArg).join(" ");
}

/** Commands joined so the first failure stops the rest (`a && b && c`). */
export function shellAnd(...commands: string[]): string {
    return commands.filter((c) => c.length > 0).join(" && ");
}

/** Runs argv as root: as is for root, through `sudo -n` (never prompting) otherwise. */
export function asRoot(user: string, argv: ReadonlyArray<string | number>): string {
    return user === "root" ? shellCommand(argv) : shellCommand(["sudo", "-n", "--", ...argv]);
}
