// `pairbench import-dpservice FILE [--stack NAME]`: dpservice's test_configurations.json → stack config.
import * as fs from "fs";
import { importDpserviceConfig, ImportOptions, renderStackFile, stackFilePath } from "../../config/index";
import { CliError, EXIT_FAILED } from "../errors";

export interface ImportCommandOptions extends ImportOptions {
    readonly stack?: string;
    readonly force?: boolean;
}

export interface Output {
    readonly out: (text: string) => void;
    readonly err: (line: string) => void;
}

export function runImportDpservice(projectDir: string, file: string, opts: ImportCommandOptions, io: Output): void {
    if (!fs.existsSync(file)) throw new CliError(`${file}: no such file`, EXIT_FAILED);
    const result = importDpserviceConfig(fs.readFileSync(file, "utf8"), opts);
    for (const note of result.notes) io.err(`note: ${note}`);
    const header = [
        `Imported by 'pairbench import-dpservice' from ${file}.`,
        "Reference: docs/configuration.md. Check with: npx pairbench validate --stack NAME",
        ...result.notes.map((n) => `note: ${n}`),
    ];
    const yaml = renderStackFile(result.values, header);
    if (opts.stack === undefined) {
        io.out(yaml);
        return;
    }
    const target = stackFilePath(projectDir, opts.stack);
    if (fs.existsSync(target) && !opts.force) {
        throw new CliError(`${target} exists; pass --force to overwrite it`, EXIT_FAILED);
    }
    fs.writeFileSync(target, yaml);
    io.err(`wrote ${target}`);
}
