// PowerShell's counterpart of shell.ts: the one place where values become PowerShell text, for
// Windows endpoints (benchmarks, readiness checks, runner registration, onboarding). Pure: no
// Pulumi types.
//
// Values become single-quoted literals, inside which PowerShell expands nothing; the only
// special characters there are the four single-quote characters PowerShell accepts (' ‘ ’ ‚ ‛),
// each escaped by doubling. Scripts reach a Windows machine over SSH as
// `pwsh -EncodedCommand <base64>`, so no shell between SSH and PowerShell ever parses them.

/** The characters PowerShell treats as a single quote (ASCII and the typographic ones). */
const SINGLE_QUOTES = /['\u2018\u2019\u201a\u201b]/g;

/** One value as a PowerShell literal: a number as is, anything else single-quoted. */
export function psArg(value: string | number): string {
    if (typeof value === "number") {
        if (!Number.isFinite(value)) throw new Error(`a PowerShell number must be finite (got ${value})`);
        return String(value);
    }
    if (value.includes("\0")) throw new Error("a PowerShell argument cannot contain a NUL character");
    return `'${value.replace(SINGLE_QUOTES, (q) => q + q)}'`;
}

/** Trusted PowerShell text: constant fragments or text already built here. */
export class PsText {
    constructor(readonly text: string) {}
    toString(): string {
        return this.text;
    }
}

/** Marks text as already-safe PowerShell (a constant or the output of `ps`). */
export function psRaw(text: string): PsText {
    return new PsText(text);
}

export type PsValue = string | number | PsText | ReadonlyArray<string | number>;

/**
 * A tagged template for PowerShell: every `${value}` becomes one literal, an array becomes an
 * array expression `@('a', 'b')`; only `psRaw(...)` is inserted as is.
 *
 *     ps`Stop-Process -Id (Get-Content ${pidFile}) -Force`
 */
export function ps(strings: TemplateStringsArray, ...values: PsValue[]): string {
    let out = strings[0] ?? "";
    values.forEach((value, i) => {
        if (value instanceof PsText) out += value.text;
        else if (Array.isArray(value)) out += `@(${(value as ReadonlyArray<string | number>).map(psArg).join(", ")})`;
        else out += psArg(value as string | number);
        out += strings[i + 1] ?? "";
    });
    return out;
}

/**
 * PowerShell 7 on pairbench's Windows machines: its own copy (onboarding.ts), at a path without
 * spaces and independent of PATH — services such as sshd see PATH changes only after a reboot.
 */
export const PWSH_EXE = "C:\\pairbench\\pwsh\\pwsh.exe";

/**
 * The command line that runs a script with PowerShell 7 on Windows: `-EncodedCommand` takes
 * base64 of UTF-16LE, which contains only [A-Za-z0-9+/=], so the line means the same to cmd.exe,
 * to PowerShell as sshd's DefaultShell and to CreateProcess.
 */
export function pwshCommand(script: string): string {
    if (script.includes("\0")) throw new Error("a PowerShell script cannot contain a NUL character");
    const encoded = Buffer.from(script, "utf16le").toString("base64");
    // cmd.exe stops at 8191 characters, CreateProcess at 32767.
    if (encoded.length > 30000) throw new Error(`the PowerShell script is too long for a command line (${script.length} characters)`);
    return `${PWSH_EXE} -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ${encoded}`;
}

/**
 * One argument quoted for a Windows command line as CommandLineToArgvW / the C runtime split
 * it: wrapped in double quotes when needed, backslashes doubled only before a quote.
 */
export function windowsArg(value: string | number): string {
    const text = String(value);
    if (text.includes("\0")) throw new Error("a Windows command-line argument cannot contain a NUL character");
    if (text !== "" && !/[\s"]/.test(text)) return text;
    let out = '"';
    let slashes = 0;
    for (const ch of text) {
        if (ch === "\\") {
            slashes += 1;
            continue;
        }
        // Backslashes before a quote are doubled and the quote escaped; elsewhere they are literal.
        out += ch === '"' ? "\\".repeat(slashes * 2 + 1) + '"' : "\\".repeat(slashes) + ch;
        slashes = 0;
    }
    return `${out}${"\\".repeat(slashes * 2)}"`;
}

/** An argv array as one Windows command line (Win32_Process.Create, Start-Process). */
export function windowsCommandLine(argv: ReadonlyArray<string | number>): string {
    if (argv.length === 0) throw new Error("a command needs at least the program name");
    return argv.map(windowsArg).join(" ");
}

/** A POSIX-style absolute work path (`/tmp/pairbench/x`) as a path on the system drive. */
export function windowsPath(posixPath: string): string {
    if (!/^\/[A-Za-z0-9._/-]+$/.test(posixPath) || posixPath.includes("..")) {
        throw new Error(`work directory must be an absolute path of [A-Za-z0-9._/-] (got ${posixPath})`);
    }
    return `C:${posixPath.replace(/\//g, "\\")}`;
}
