// `pairbench summarize FILE...`: each FILE is one iperf3 `-J` client document (one round).
// Prints the receiver-side Gbit/s per round and their mean, median, sample standard deviation
// and 95 % Student-t confidence interval, as JSON. The parsing and statistics are the same pure
// modules the benchmark resources use (benchmarks/iperf3.ts, benchmarks/stats.ts).
import { readFileSync } from "fs";
import { Iperf3Error, parseIperf3, toGbps } from "../../benchmarks/iperf3";
import { summarize } from "../../benchmarks/stats";
import { CliError, EXIT_FAILED } from "../errors";

export interface SummarizedRound {
    readonly file: string;
    /** Receiver side: TCP and UDP `end.sum_received`, in Gbit/s (10^9). */
    readonly gbps: number;
    /** TCP, when the sender reported them. */
    readonly retransmits?: number;
    /** UDP, from `end.sum`. */
    readonly lossPercent?: number;
    readonly jitterMs?: number;
}

export interface Summarized {
    readonly rounds: readonly SummarizedRound[];
    readonly meanGbps: number;
    readonly medianGbps: number;
    /** n − 1 in the denominator; 0 for a single round. */
    readonly stddevGbps: number;
    /** null for a single round: one value gives no interval. */
    readonly ci95Gbps: readonly [number, number] | null;
}

/** Reads and summarises the files; every unreadable, malformed or failed file is reported at once. */
export function summarizeFiles(files: readonly string[], read: (file: string) => string = (f) => readFileSync(f, "utf8")): Summarized {
    const rounds: SummarizedRound[] = [];
    const problems: string[] = [];
    for (const file of files) {
        let text: string;
        try {
            text = read(file);
        } catch (e) {
            problems.push(`${file}: cannot read it: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
            continue;
        }
        try {
            const r = parseIperf3(text);
            rounds.push({
                file,
                gbps: toGbps(r.receiverBitsPerSecond),
                ...(r.retransmits !== undefined ? { retransmits: r.retransmits } : {}),
                ...(r.lossPercent !== undefined ? { lossPercent: r.lossPercent } : {}),
                ...(r.jitterMs !== undefined ? { jitterMs: r.jitterMs } : {}),
            });
        } catch (e) {
            // An iperf3 error document: iperf3's own words, e.g. "unable to connect to server: Connection refused".
            problems.push(`${file}: ${e instanceof Iperf3Error ? e.message : (e as Error).message}`);
        }
    }
    if (problems.length > 0) throw new CliError(problems.join("\n"), EXIT_FAILED);
    const s = summarize(rounds.map((r) => r.gbps));
    return { rounds, meanGbps: s.mean, medianGbps: s.median, stddevGbps: s.stddev, ci95Gbps: s.ci95 };
}

export function runSummarize(files: readonly string[], out: (text: string) => void): void {
    out(JSON.stringify(summarizeFiles(files), null, 2));
}
