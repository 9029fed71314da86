// Reads the output of `sockperf ping-pong` (sockperf 3.7, Debian 12) into latency figures.
// Pure; no Pulumi imports.
//
// sockperf prints everything to stdout, with ANSI colour codes even when stdout is not a
// terminal, and exits 0 even when it fails ("ERROR: Can`t connect socket", "No messages were
// received from the server"). So the text decides success, never the exit code.
// With `--full-rtt` the figures are round-trip times; without it sockperf prints half the
// round trip as "latency" (which assumes a symmetric path). pairbench runs `--full-rtt`.

/** Latency figures of one sockperf ping-pong run, in microseconds. */
export interface SockperfResult {
    /** e.g. "3.7-no.git". */
    readonly version: string;
    /** `rtt` with --full-rtt, `latency` (half round trip) without. */
    readonly metric: "rtt" | "latency";
    readonly protocol: "tcp" | "udp";
    readonly meanUs: number;
    /** sockperf's own standard deviation over the observations. */
    readonly stddevUs: number;
    readonly observations: number;
    readonly minUs: number;
    readonly maxUs: number;
    /** Percentiles as labelled by sockperf, keyed p25 … p99.999. */
    readonly percentilesUs: Readonly<Record<string, number>>;
    readonly p50Us: number;
    readonly p90Us: number;
    readonly p99Us: number;
    readonly p999Us: number;
    readonly droppedMessages: number;
    readonly duplicatedMessages: number;
    readonly outOfOrderMessages: number;
    /** Seconds of the measured ("valid") part of the run, after sockperf's warm-up. */
    readonly validSeconds?: number;
}

/** sockperf ran and reported a failure; `sockperfMessage` is its own text. */
export class SockperfError extends Error {
    constructor(readonly sockperfMessage: string) {
        super(`sockperf: ${sockperfMessage}`);
        this.name = "SockperfError";
    }
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/** Percentile label as pairbench writes it: 50.000 → p50, 99.900 → p99.9. */
export function percentileLabel(value: string): string {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0 || n > 100) throw new Error(`percentile ${value} is outside 0..100`);
    return `p${String(n)}`;
}

function need<T>(value: T | undefined, what: string, text: string): T {
    if (value === undefined) {
        const last = text.trim().split("\n").filter((l) => l.trim() !== "").slice(-1)[0] ?? "(no output)";
        throw new SockperfError(`no ${what} in the output; last line: ${last.trim()}`);
    }
    return value;
}

/** Parses `sockperf ping-pong` output; throws SockperfError when sockperf reports a failure. */
export function parseSockperf(raw: string): SockperfResult {
    const text = raw.replace(ANSI, "").replace(/\r/g, "");
    const failure =
        /sockperf: ERROR: (.+)/.exec(text)?.[1] ??
        /sockperf: (No messages were received from the server.*)/.exec(text)?.[1] ??
        /sockperf: ('-\w' Invalid .+)/.exec(text)?.[1];
    if (failure !== undefined) throw new SockperfError(failure.trim());

    const avg = /====> avg-(rtt|latency)=([0-9.]+) \(std-dev=([0-9.]+)\)/.exec(text);
    const [, metricText, meanText, stdText] = need(avg ?? undefined, "average (====> avg-rtt=…)", text);
    const percentilesUs: Record<string, number> = {};
    for (const m of text.matchAll(/---> percentile ([0-9.]+) =\s*([0-9.]+)/g)) {
        percentilesUs[percentileLabel(m[1]!)] = Number(m[2]);
    }
    const pick = (label: string) => need(percentilesUs[label], `percentile ${label}`, text);
    const min = /---> <MIN> observation =\s*([0-9.]+)/.exec(text)?.[1];
    const max = /---> <MAX> observation =\s*([0-9.]+)/.exec(text)?.[1];
    const observations = /Total (\d+) observations/.exec(text)?.[1];
    const counts = need(
        /# dropped messages = (\d+); # duplicated messages = (\d+); # out-of-order messages = (\d+)/.exec(text) ?? undefined,
        "message counts (# dropped messages = …)",
        text,
    );
    const protocol = /PORT =\s*\d+ # (TCP|UDP)/.exec(text)?.[1];
    const valid = /\[Valid Duration\] RunTime=([0-9.]+) sec/.exec(text)?.[1];
    return {
        version: /== version #(\S+) ==/.exec(text)?.[1] ?? "unknown",
        metric: metricText === "rtt" ? "rtt" : "latency",
        protocol: protocol === "TCP" ? "tcp" : "udp",
        meanUs: Number(meanText),
        stddevUs: Number(stdText),
        observations: Number(need(observations, "observation count", text)),
        minUs: Number(need(min, "<MIN> observation", text)),
        maxUs: Number(need(max, "<MAX> observation", text)),
        percentilesUs,
        p50Us: pick("p50"),
        p90Us: pick("p90"),
        p99Us: pick("p99"),
        p999Us: pick("p99.9"),
        droppedMessages: Number(counts[1]),
        duplicatedMessages: Number(counts[2]),
        outOfOrderMessages: Number(counts[3]),
        ...(valid !== undefined ? { validSeconds: Number(valid) } : {}),
    };
}
