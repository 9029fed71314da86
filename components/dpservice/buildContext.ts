// The dev stage's build context on the machine running Pulumi: a dpservice checkout. Its content
// hash decides when the image is built again, so `pulumi up` rebuilds after a source change and
// not otherwise. Reads files; errors name the config key and the fix.
import { execFile } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";

const run = promisify(execFile);
const KEY = "pairbench:dataplane.dpservice.buildPath";

/** Checks that the directory is a dpservice checkout docker can build; throws naming the key. */
export function checkBuildContext(dir: string): void {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        throw new Error(`${KEY}: ${dir} is not a directory; set it to a dpservice checkout (git clone of ironcore-dev/dpservice)`);
    }
    if (!fs.existsSync(path.join(dir, "Dockerfile"))) {
        throw new Error(`${KEY}: ${dir} has no Dockerfile; set it to the root of a dpservice checkout`);
    }
}

/**
 * sha256 over the names and contents of the checkout's files as git sees them: tracked and
 * untracked, without what .gitignore excludes (build directories), uncommitted edits included.
 */
export async function buildContextHash(dir: string): Promise<string> {
    checkBuildContext(dir);
    let listing: string;
    try {
        listing = (await run("git", ["-C", dir, "ls-files", "-z", "--cached", "--others", "--exclude-standard"], { maxBuffer: 64 * 1024 * 1024 })).stdout;
    } catch (err) {
        throw new Error(`${KEY}: ${dir} is not a git checkout (git ls-files failed: ${(err as Error).message.split("\n")[0]}); clone dpservice with git`);
    }
    const files = [...new Set(listing.split("\0").filter((f) => f !== ""))].sort();
    const hash = createHash("sha256");
    for (const file of files) {
        const full = path.join(dir, file);
        let content: Buffer | string;
        try {
            const st = await fs.promises.lstat(full);
            if (st.isDirectory()) continue; // a submodule
            content = st.isSymbolicLink() ? `symlink:${await fs.promises.readlink(full)}` : await fs.promises.readFile(full);
        } catch {
            continue; // deleted but still in the index: not part of the build
        }
        hash.update(file).update("\0").update(createHash("sha256").update(content).digest("hex")).update("\0");
    }
    return hash.digest("hex");
}
