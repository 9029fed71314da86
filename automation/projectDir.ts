// Where the Pulumi project (Pulumi.yaml, stack files, .pairbench/) lives: the repository root,
// found from this file's location so the CLI works from any working directory.
import * as path from "path";

export const PROJECT_DIR = path.resolve(__dirname, "..");
