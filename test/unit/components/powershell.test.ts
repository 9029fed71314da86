// PowerShell quoting, checked against a real PowerShell grammar (tree-sitter-powershell): no
// value can end its literal early or add a token, and every value reads back unchanged under
// PowerShell's rule for single-quoted strings. Windows command lines are checked against the
// C runtime's splitting rules.
import * as assert from "assert";
import fc from "fast-check";
import { ps, psArg, psRaw, pwshCommand, windowsArg, windowsCommandLine, windowsPath } from "../../../components/powershell";
import { allNodes, decodeSingleQuoted, loadPowerShell, parsePowerShell, syntaxErrors } from "../../support/powershellParser";

const noNul = fc.string({ unit: "binary" }).filter((s) => !s.includes("\0"));
const HOSTILE = ["'", "‘", "’", "‚", "‛", "''", "$(Remove-Item C:\\ -Recurse)", "`n", "\"$env:PATH\"", "; Stop-Computer", "@{a=1}", "\r\n", "#", "<#", "--%", "&", "|"];
const value = fc.oneof(noNul, fc.constantFrom(...HOSTILE), fc.array(fc.constantFrom(...HOSTILE, "a", " "), { maxLength: 6 }).map((a) => a.join("")));

/** The arguments of the first command in a script, as the grammar sees them. */
function commandArguments(script: string): string[] {
    const command = allNodes(parsePowerShell(script)).find((n) => n.type === "command");
    assert.ok(command, `no command in ${script}`);
    const elements = command.childForFieldName("command_elements");
    if (!elements) return [];
    return elements.children.filter((c) => c !== null && c.type !== "command_argument_sep").map((c) => c!.text);
}

/** CommandLineToArgvW / MSVC C runtime splitting (arguments after the program name). */
function splitWindows(line: string): string[] {
    const args: string[] = [];
    let i = 0;
    while (i < line.length) {
        while (line[i] === " " || line[i] === "\t") i++;
        if (i >= line.length) break;
        let arg = "";
        let quoted = false;
        while (i < line.length) {
            const c = line[i]!;
            if (c === "\\") {
                let k = 0;
                while (line[i + k] === "\\") k++;
                if (line[i + k] === '"') {
                    arg += "\\".repeat(Math.floor(k / 2));
                    if (k % 2 === 1) {
                        arg += '"';
                        i += k + 1;
                    } else i += k;
                } else {
                    arg += "\\".repeat(k);
                    i += k;
                }
            } else if (c === '"') {
                if (quoted && line[i + 1] === '"') {
                    arg += '"';
                    i += 2;
                } else {
                    quoted = !quoted;
                    i++;
                }
            } else if ((c === " " || c === "\t") && !quoted) break;
            else {
                arg += c;
                i++;
            }
        }
        args.push(arg);
    }
    return args;
}

describe("PowerShell quoting", function () {
    this.timeout(60000);
    before(loadPowerShell);

    it("every value is one literal that PowerShell reads back unchanged (property)", () => {
        fc.assert(
            fc.property(fc.array(value, { minLength: 1, maxLength: 4 }), (values) => {
                const script = `Write-Output ${values.map(psArg).join(" ")}`;
                assert.deepStrictEqual(syntaxErrors(script), [], script);
                const args = commandArguments(script);
                assert.deepStrictEqual(args, values.map(psArg), `the grammar split ${script} differently`);
                assert.deepStrictEqual(args.map(decodeSingleQuoted), values);
            }),
            { numRuns: 300 },
        );
    });

    it("doubles every kind of single quote and expands nothing", () => {
        assert.strictEqual(psArg("it's"), "'it''s'");
        assert.strictEqual(psArg("‘x’"), "'‘‘x’’'");
        assert.strictEqual(psArg("$(Stop-Computer)"), "'$(Stop-Computer)'");
        assert.strictEqual(psArg(""), "''");
        assert.strictEqual(psArg(5201), "5201");
        assert.throws(() => psArg("a\0b"), /NUL/);
        assert.throws(() => psArg(Number.NaN), /finite/);
    });

    it("ps`` quotes values, turns arrays into array expressions and keeps psRaw text", () => {
        const script = ps`Start-Process -FilePath ${"C:\\x y\\iperf3.exe"} -ArgumentList ${["-s", "it's"]} ${psRaw("-PassThru")}`;
        assert.strictEqual(script, "Start-Process -FilePath 'C:\\x y\\iperf3.exe' -ArgumentList @('-s', 'it''s') -PassThru");
        assert.deepStrictEqual(syntaxErrors(script), []);
    });

    it("pwshCommand encodes the script as UTF-16LE base64 with nothing a shell would touch", () => {
        const script = "Write-Output 'é ‘x’ $(1+1)'\nexit 3";
        const line = pwshCommand(script);
        const m = /^C:\\pairbench\\pwsh\\pwsh\.exe -NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ([A-Za-z0-9+/=]+)$/.exec(line);
        assert.ok(m, line);
        assert.strictEqual(Buffer.from(m[1]!, "base64").toString("utf16le"), script);
        assert.throws(() => pwshCommand("x".repeat(20000)), /too long/);
    });

    it("Windows command-line arguments split back unchanged (property)", () => {
        fc.assert(
            fc.property(fc.array(fc.oneof(noNul, fc.constantFrom('a"b', "a\\", "a\\\"", "\\\\\"", " ", "")), { minLength: 1, maxLength: 4 }), (args) => {
                const line = windowsCommandLine(["iperf3.exe", ...args]);
                assert.deepStrictEqual(splitWindows(line).slice(1), args, line);
            }),
            { numRuns: 300 },
        );
        assert.strictEqual(windowsArg("C:\\tmp\\a b\\"), '"C:\\tmp\\a b\\\\"');
        assert.strictEqual(windowsArg("plain"), "plain");
    });

    it("maps POSIX work paths onto the system drive and rejects anything else", () => {
        assert.strictEqual(windowsPath("/tmp/pairbench/x-1"), "C:\\tmp\\pairbench\\x-1");
        assert.throws(() => windowsPath("/tmp/../x"), /absolute path/);
        assert.throws(() => windowsPath("tmp/x"), /absolute path/);
    });
});
