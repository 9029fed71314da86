// Reading and writing Pulumi.<stack>.yaml files, for the CLI (`validate`, `import-dpservice`).
// The Pulumi program itself reads its config from the engine (see ../config.ts).
import * as fs from "fs";
import * as path from "path";
import { Document, isMap, parseDocument } from "yaml";
import { NAMESPACE, namespaceValues } from "./validate";

export function stackFilePath(projectDir: string, stack: string): string {
    return path.join(projectDir, `Pulumi.${stack}.yaml`);
}

export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

/**
 * The `pairbench:` values of a stack file. Secrets stay as `{secure: ...}` objects, which the
 * schema accepts wherever a secret is allowed.
 */
export function readStackFile(file: string): Record<string, unknown> {
    if (!fs.existsSync(file)) {
        throw new StackFileError(`${file} does not exist; create it or run 'pairbench import-dpservice FILE --stack NAME'`);
    }
    const doc = parseDocument(fs.readFileSync(file, "utf8"), { prettyErrors: true });
    if (doc.errors.length > 0) {
        throw new StackFileError(`${file} is not valid YAML:\n${doc.errors.map((e) => `  - ${e.message}`).join("\n")}`);
    }
    const top: unknown = doc.toJS();
    if (top === null || top === undefined) return {};
    if (typeof top !== "object" || Array.isArray(top)) {
        throw new StackFileError(`${file}: must be a mapping with a 'config:' key`);
    }
    const config = (top as Record<string, unknown>)["config"];
    if (config === undefined || config === null) return {};
    if (typeof config !== "object" || Array.isArray(config)) {
        throw new StackFileError(`${file}: 'config' must be a mapping of ${NAMESPACE}:KEY: VALUE`);
    }
    return namespaceValues(config as Record<string, unknown>);
}

/**
 * A stack file for the given `pairbench:` values, with a header comment. Keys keep the order
 * given; `notes` become comment lines so a reader sees what an importer decided.
 */
export function renderStackFile(values: Readonly<Record<string, unknown>>, header: readonly string[]): string {
    const config: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values)) config[`${NAMESPACE}:${key}`] = value;
    const doc = new Document({ config });
    doc.commentBefore = header.map((line) => ` ${line}`).join("\n");
    if (!isMap(doc.contents)) throw new Error("stack file root must be a mapping");
    return doc.toString({ lineWidth: 0 });
}
