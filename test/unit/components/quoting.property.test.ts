// Property: no config value can break out of the quoting of any command the libvirt components
// generate. Configs with hostile values (shell metacharacters, quotes, newlines, command
// substitutions that would run `pwned_canary`) are built into the real components under mocks;
// every create/update/delete command is then run by bash with PATH emptied, so each external
// command only lands in a logging handler. The outer line must yield exactly the expected argv
// (bash/sudo/sh … -c SCRIPT) and the script must run only the expected programs, never the canary,
// without a syntax error.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import fc from "fast-check";
import { NAME_PATTERN } from "../../../config/schema";
import { LibvirtEnvironment } from "../../../components/libvirtEnvironment";
import { fakeSha, stackConfig, TEST_PUBLIC_KEY } from "./fixtures";
import { MockHarness as Recorder, useMocks } from "../../support/mocks";
import { fakeDpserviceStdout } from "./dpserviceFakes";

const PROGRAMS = new Set([
    "virsh", "qemu-img", "install", "touch", "rmdir", "rm", "ls", "grep", "sysctl", "nft", "sed", "head", "cat", "awk",
    "basename", "readlink", "sha256sum", "chmod", "chown", "mv", "date", "sleep", "tail", "timeout", "ping", "ping6", "uname",
    "ip", "bridge", "mountpoint",
    // dpservice (lab): docker and dpservice-cli on the hypervisors; on the VMs, the reboot and test network steps.
    "docker", "mkdir", "nohup", "systemd-run",
]);
const OUTER = new Set(["bash", "sudo", "sh", "uname"]);

const PRELUDE = String.raw`command_not_found_handle() {
  pb_n=$(( $(< "$PB_DIR/n") + 1 )); printf '%s' "$pb_n" > "$PB_DIR/n"
  printf '%s\0' "$@" > "$PB_DIR/call.$pb_n"
  case "$1" in date) echo $(( 1000000 + pb_n * 100 )) ;; esac
  return 0
}`;

/** Runs a command line with no external programs reachable; returns the argv of every program it tried. */
function dryRun(line: string): { calls: string[][]; stderr: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-dry-"));
    fs.writeFileSync(path.join(dir, "n"), "0");
    const r = spawnSync("/bin/bash", ["-c", `${PRELUDE}\n${line}`], {
        env: { PATH: "/nonexistent", PB_DIR: dir },
        encoding: "utf8",
        timeout: 20000,
        cwd: dir,
    });
    const count = Number(fs.readFileSync(path.join(dir, "n"), "utf8"));
    const calls: string[][] = [];
    for (let i = 1; i <= count; i++) calls.push(fs.readFileSync(path.join(dir, `call.${i}`), "utf8").split("\0").slice(0, -1));
    fs.rmSync(dir, { recursive: true, force: true });
    return { calls, stderr: r.stderr };
}

const HOSTILE = [
    "$(pwned_canary)", "`pwned_canary`", ";pwned_canary;", "' ; pwned_canary ; '", '" ; pwned_canary ; "', "\npwned_canary\n",
    "&& pwned_canary", "| pwned_canary", "$IFS", "*", "~root", "\\", "'", '"', "$((1+1))", "${PATH}", "</entry><x a='", "%0A",
];
const hostile = fc.oneof(
    fc.constantFrom(...HOSTILE),
    fc.tuple(fc.string({ maxLength: 6 }), fc.constantFrom(...HOSTILE), fc.string({ unit: "binary", maxLength: 8 })).map((t) => t.join("")),
).filter((s) => !s.includes("\0") && s.length > 0);
const oneLine = hostile.map((s) => s.replace(/[\r\n\u2028\u2029\u0085]/g, " ").trim()).filter((s) => s.length > 0);
const name = fc.stringMatching(NAME_PATTERN).filter((s) => s.length <= 20);
const workDir = fc.stringMatching(/^\/[A-Za-z0-9._-]{1,12}(\/[A-Za-z0-9._-]{1,12}){0,2}$/);

const unsecret = (v: any): any =>
    v && typeof v === "object" && "value" in v && Object.values(v).includes("1b47061264138c4ac30d75fd1eb44270") ? v.value : v;

describe("quoting: no config value breaks out of a generated command (property)", function () {
    this.timeout(300000);
    let rec: Recorder;
    let dir: string;
    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-quoting-"));
        fs.writeFileSync(path.join(dir, "id_test"), "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----\n");
        rec = await useMocks({
            outputs: (type, n, inputs) =>
                type !== "command:remote:Command" ? {}
                    : fakeDpserviceStdout(n, inputs) !== undefined ? { stdout: fakeDpserviceStdout(n, inputs) }
                    : n.endsWith("-vf") ? { stdout: "0000:8b:00.3" }
                    : n.endsWith("-lease") ? { stdout: "192.168.122.7" }
                    : n.endsWith("-check") ? { stdout: "absent" }
                    : { stdout: "x" },
        });
    });
    after(() => {
        rec.restore();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    for (const stack of ["dev", "lab"] as const) {
        it(`${stack}: every create/update/delete command keeps hostile values inert`, async () => {
            await fc.assert(
                fc.asyncProperty(
                    fc.record({ host: hostile, user: hostile, workDir, vm: name, cmdline: hostile, file: hostile, key: oneLine, hash: hostile, stack: hostile }),
                    async (v) => {
                        rec.reset();
                        const cfg = structuredClone(stackConfig(stack)) as any;
                        const keyFile = path.join(dir, "id_test");
                        cfg.hypervisors[0] = { ...cfg.hypervisors[0], host: v.host, user: v.user, workDir: v.workDir, sshKey: { path: keyFile } };
                        cfg.hypervisors[1] = { ...cfg.hypervisors[1], sshKey: { path: keyFile } };
                        cfg.vms[0].name = `x${v.vm}`;
                        const image = path.join(dir, v.file.replace(/\//g, "_"));
                        fs.writeFileSync(image, "image");
                        if (cfg.images[0].kind === "disk") cfg.images[0].path = image;
                        else Object.assign(cfg.images[0], { kernel: image, initrd: image, cmdline: v.cmdline });
                        const pub = path.join(dir, "key.pub");
                        fs.writeFileSync(pub, `${TEST_PUBLIC_KEY} ${v.key}\n`);
                        cfg.ssh = { publicKeyPath: pub, rootPasswordHash: v.hash };
                        const env = new LibvirtEnvironment("pb", { config: cfg, context: { stack: v.stack, projectDir: dir, homeDir: dir }, sha256: fakeSha });
                        await rec.settle(env);

                        const commands = rec.ofType("command:remote:Command").flatMap((r) =>
                            (["create", "update", "delete"] as const).filter((k) => r.inputs[k] !== undefined).map((k) => [`${r.name} ${k}`, unsecret(r.inputs[k]) as string]),
                        );
                        assert.ok(commands.length >= 20);
                        for (const [label, line] of commands) {
                            const outer = dryRun(line!);
                            assert.strictEqual(outer.calls.length, 1, `${label}: the line runs one program: ${JSON.stringify(outer.calls)}`);
                            const argv = outer.calls[0]!;
                            assert.ok(OUTER.has(argv[0]!), `${label}: runs ${argv[0]}`);
                            if (argv[0] === "uname") continue;
                            const c = argv.indexOf("-c");
                            assert.ok(c > 0 && c === argv.length - 2, `${label}: ${JSON.stringify(argv.slice(0, -1))}`);
                            if (argv[0] === "sudo") assert.deepStrictEqual(argv.slice(0, 3), ["sudo", "-n", "--"]);
                            const inner = dryRun(argv[c + 1]!);
                            assert.doesNotMatch(inner.stderr, /syntax error|unexpected EOF|unexpected end of file/, `${label}: ${inner.stderr}`);
                            for (const call of inner.calls) {
                                assert.ok(PROGRAMS.has(call[0]!), `${label}: ran ${JSON.stringify(call)}`);
                            }
                        }
                    },
                ),
                { numRuns: 8 },
            );
        });
    }
});
