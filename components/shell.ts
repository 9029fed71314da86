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

/** Trusted shell text for `sh` templates: constant fragments or commands already built here. */
export class ShellText {
    constructor(readonly text: string) {}
    toString(): string {
        return this.text;
    }
}

/** Marks text as already-safe shell (a constant or the output of `sh`/`shellCommand`). */
export function raw(text: string): ShellText {
    return new ShellText(text);
}

/** A value `sh` accepts: quoted as one argument, several arguments, or trusted text. */
export type ShellValue = string | number | ShellText | ReadonlyArray<string | number>;

/**
 * A tagged template for scripts: the template's literal text is the script's fixed shape and
 * every `${value}` is quoted as one shell word (arrays become several words). Only `raw(...)`
 * values are inserted unquoted, so a config value can never change the script's structure.
 *
 *     sh`virsh define ${xmlPath} && virsh start ${name}`
 */
export function sh(strings: TemplateStringsArray, ...values: ShellValue[]): string {
    let out = strings[0] ?? "";
    values.forEach((value, i) => {
        if (value instanceof ShellText) out += value.text;
        else if (Array.isArray(value)) out += (value as ReadonlyArray<string | number>).map(shellArg).join(" ");
        else out += shellArg(value as string | number);
        out += strings[i + 1] ?? "";
    });
    return out;
}
