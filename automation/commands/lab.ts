// `pairbench lab up|down|status|image`: the emulated two-hypervisor lab (lab/, docs/lab.md).
import { buildGuestImage, installGuestImage } from "../../lab/guest/build";
import { formatStatus, labDown, labStatus, labUp, projectLab } from "../../lab/lab";
import { labVerify } from "../../lab/verify";
import { CliError, EXIT_FAILED } from "../errors";

type Print = (text: string) => void;

export async function runLabUp(projectDir: string, opts: { packages?: boolean; image?: boolean }, out: Print): Promise<void> {
    try {
        await labUp(projectDir, out, opts);
    } catch (e) {
        throw new CliError(`lab up failed: ${e instanceof Error ? e.message : String(e)}\n(the lab is left as it is; \`pairbench lab down\` removes it)`);
    }
}

export async function runLabDown(projectDir: string, out: Print): Promise<void> {
    try {
        await labDown(projectDir, out);
    } catch (e) {
        throw new CliError(`lab down failed: ${e instanceof Error ? e.message : String(e)}`);
    }
}

/** Exit status 1 when the lab is not (completely) running. */
export async function runLabStatus(projectDir: string, opts: { json?: boolean }, out: Print): Promise<void> {
    const status = await labStatus(projectDir);
    out(opts.json ? JSON.stringify(status, null, 2) : formatStatus(status));
    if (!status.running) throw new CliError("the lab is not running (pairbench lab up)", EXIT_FAILED);
}

export async function runLabImage(projectDir: string, opts: { force?: boolean }, out: Print): Promise<void> {
    const t0 = Date.now();
    const image = await buildGuestImage({ force: opts.force === true, note: out });
    const paths = installGuestImage(image, projectDir);
    out(
        `guest image ${image.hash} ${image.cached ? "from the cache" : "built"} in ${((Date.now() - t0) / 1000).toFixed(1)}s ` +
            `(${image.kernelPackage} ${image.kernelVersion}): ${paths.kernel}, ${paths.initrd}`,
    );
}

/** Boots the dev VMs in the running lab, measures, cleans up; prints the figures. */
export async function runLabVerify(projectDir: string, out: Print): Promise<void> {
    const status = await labStatus(projectDir);
    if (!status.running) throw new CliError("the lab is not running: pairbench lab up");
    try {
        const r = await labVerify(projectDir, projectLab(projectDir), out);
        out(JSON.stringify(r, null, 2));
    } catch (e) {
        throw new CliError(`lab verify failed: ${e instanceof Error ? e.message : String(e)}`, EXIT_FAILED);
    }
}
