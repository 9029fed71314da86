// Loads the stack's `pairbench:` config from the Pulumi engine and validates it before any
// resource is registered. The schema and its rules live in config/ so the CLI can use them
// without a Pulumi engine.
import * as pulumi from "@pulumi/pulumi";
import { namespaceValues, parseStackConfig, StackConfig } from "./config/index";

/** Structured config arrives from the engine as JSON text; scalars as plain strings. */
export function decodeConfigValue(text: string): unknown {
    const trimmed = text.trim();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
        try {
            return JSON.parse(trimmed);
        } catch {
            return text;
        }
    }
    return text;
}

/** The validated config of the running stack; throws a ConfigError listing every problem. */
export function loadStackConfig(): StackConfig {
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) raw[key] = decodeConfigValue(value);
    return parseStackConfig(namespaceValues(raw), `stack ${pulumi.getStack()}`);
}

export * from "./config/index";
