// Helpers for tests that start from the project's real stack files.
import * as path from "path";
import { readStackFile } from "../../config/index";

export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/** The `pairbench:` values of Pulumi.<stack>.yaml, as a fresh mutable copy. */
export function stackValues(stack: string): Record<string, any> {
    return structuredClone(readStackFile(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`)));
}
