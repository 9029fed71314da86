// Files on the machine running Pulumi that the components read at deploy time: SSH keys and
// image files (for their sha256). Errors name the file and what it was needed for.
import { createHash } from "crypto";
import * as fs from "fs";

/** The text of a local file; a missing file is an error that says what it is for. */
export async function readLocalFile(file: string, what: string): Promise<string> {
    try {
        return await fs.promises.readFile(file, "utf8");
    } catch (err) {
        throw new Error(`cannot read ${what} ${file}: ${(err as Error).message}`);
    }
}

/** The sha256 of a local file (streamed: base images are gigabytes). */
export function sha256File(file: string, what: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const hash = createHash("sha256");
        const stream = fs.createReadStream(file);
        stream.on("error", (err) => reject(new Error(`cannot read ${what} ${file}: ${err.message}`)));
        stream.on("data", (chunk) => hash.update(chunk));
        stream.on("end", () => resolve(hash.digest("hex")));
    });
}

/** Public keys from an OpenSSH public key file: one per non-empty, non-comment line. */
export function parsePublicKeys(text: string): string[] {
    return text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== "" && !l.startsWith("#"));
}
