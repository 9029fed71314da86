// Reads one iperf3 `-J` document (one client process, one round) into the figures pairbench
// reports. Pure: plain JSON in, plain objects out; no Pulumi imports.
//
// What is read, and why (checked against real iperf3 3.12 runs, see test/unit/benchmarks):
// - TCP throughput is `end.sum_received`: the receiver's byte count over the receiver's time.
//   The sender's `end.sum_sent` counts bytes still in flight or dropped (esnet/iperf#238).
// - UDP throughput is `end.sum_received` too. `end.sum` carries the receiver's loss and jitter,
//   but its `bits_per_second` is the *sender's* rate (at 43 % loss on loopback it said
//   1.25 Gbit/s while the receiver got 0.50); iperf3 ≥ 3.11 adds `sum_received` (esnet/iperf#1174).
// - Both summaries exclude the `--omit` ramp-up. The per-interval series is the receiver's:
//   the client's own intervals with `-R`, otherwise the server's (`--get-server-output`).
// - A document with an `error` key is a failed run; its message is iperf3's own. iperf3 3.12
//   exits 0 in that case (e.g. connection refused with `-J`), so the document decides.

/** Bits per gigabit: pairbench uses SI units (10^9), never 1024^3. */
export const BITS_PER_GBIT = 1e9;

export type Iperf3Protocol = "tcp" | "udp";

/** One reporting interval, summed over the streams of the process. */
export interface Iperf3Interval {
    /** Seconds since the (re)start of the measurement; iperf3 restarts the clock after `--omit`. */
    readonly start: number;
    readonly end: number;
    readonly bitsPerSecond: number;
    /** True for intervals inside the `--omit` ramp-up (not part of the summary). */
    readonly omitted: boolean;
}

/** The figures of one iperf3 client document. */
export interface Iperf3Result {
    /** As iperf3 reports it, e.g. "iperf 3.12". */
    readonly version: string;
    readonly protocol: Iperf3Protocol;
    readonly reverse: boolean;
    /** Parallel streams in this process (`-P`). */
    readonly streams: number;
    readonly durationSeconds: number;
    readonly omitSeconds: number;
    /** Receiver side, summed over the streams; excludes the omitted ramp-up. */
    readonly receiverBitsPerSecond: number;
    /** Sender side, for reference only. */
    readonly senderBitsPerSecond: number;
    /** TCP: retransmits counted by the sender (absent where the sender's OS does not report them). */
    readonly retransmits?: number;
    /** UDP: the receiver's loss, jitter and packet counts. */
    readonly lossPercent?: number;
    readonly lostPackets?: number;
    readonly packets?: number;
    readonly jitterMs?: number;
    /** Receiver-side intervals when available (see intervalSide). */
    readonly intervals: readonly Iperf3Interval[];
    readonly intervalSide: "receiver" | "sender";
    /** Start time of the test as iperf3 recorded it (Unix seconds), when present. */
    readonly timestamp?: number;
}

/** iperf3 ran and reported a failure; `message` is iperf3's own error text. */
export class Iperf3Error extends Error {
    constructor(readonly iperf3Message: string) {
        super(`iperf3: ${iperf3Message}`);
        this.name = "Iperf3Error";
    }
}

/** The text is not an iperf3 `-J` document pairbench can read. */
export class Iperf3FormatError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "Iperf3FormatError";
    }
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function field(obj: Json, path: string): unknown {
    let cur: unknown = obj;
    for (const key of path.split(".")) {
        if (!isObject(cur)) return undefined;
        cur = cur[key];
    }
    return cur;
}

function num(obj: Json, path: string): number {
    const v = field(obj, path);
    if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new Iperf3FormatError(`iperf3 document has no number at ${path} (found ${JSON.stringify(v)})`);
    }
    return v;
}

function optNum(obj: Json, path: string): number | undefined {
    const v = field(obj, path);
    return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function intervalsOf(list: unknown): Iperf3Interval[] {
    if (!Array.isArray(list)) return [];
    return list.filter(isObject).map((iv, i) => {
        const sum = iv["sum"];
        if (!isObject(sum)) throw new Iperf3FormatError(`iperf3 interval ${i} has no sum`);
        return {
            start: num(sum, "start"),
            end: num(sum, "end"),
            bitsPerSecond: num(sum, "bits_per_second"),
            omitted: sum["omitted"] === true,
        };
    });
}

/** Parses iperf3 `-J` text; throws Iperf3Error for iperf3's error documents. */
export function parseIperf3(text: string): Iperf3Result {
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch (e) {
        const head = text.trim().slice(0, 120);
        throw new Iperf3FormatError(
            head === "" ? "iperf3 printed nothing (is iperf3 installed? did it time out?)" : `not iperf3 -J output (${(e as Error).message}): ${head}`,
        );
    }
    return interpretIperf3(doc);
}

/** Interprets an already-decoded iperf3 `-J` document. */
export function interpretIperf3(doc: unknown): Iperf3Result {
    if (!isObject(doc)) throw new Iperf3FormatError("an iperf3 -J document is a JSON object");
    const error = doc["error"];
    if (error !== undefined) throw new Iperf3Error(typeof error === "string" ? error : JSON.stringify(error));
    if (!isObject(doc["start"]) || !isObject(doc["end"])) {
        throw new Iperf3FormatError("not an iperf3 -J document: it needs the keys start and end");
    }
    const testStart = field(doc, "start.test_start");
    if (!isObject(testStart)) throw new Iperf3FormatError("iperf3 document has no start.test_start");
    const protoText = String(testStart["protocol"] ?? "").toLowerCase();
    if (protoText !== "tcp" && protoText !== "udp") {
        throw new Iperf3FormatError(`unsupported iperf3 protocol ${JSON.stringify(testStart["protocol"])} (pairbench reads TCP and UDP)`);
    }
    const protocol: Iperf3Protocol = protoText;
    const reverse = testStart["reverse"] === 1 || testStart["reverse"] === true;
    const end = doc["end"] as Json;

    if (!isObject(end["sum_received"])) {
        throw new Iperf3FormatError(
            protocol === "udp"
                ? "UDP document without end.sum_received (iperf3 before 3.11): its end.sum rate is the sender's, so the receiver-side rate is unknown; use iperf3 ≥ 3.11"
                : "TCP document without end.sum_received: the test did not finish",
        );
    }
    const receiverBitsPerSecond = num(end, "sum_received.bits_per_second");
    const senderBitsPerSecond = num(end, "sum_sent.bits_per_second");

    const server = doc["server_output_json"];
    let intervals: Iperf3Interval[];
    let intervalSide: "receiver" | "sender";
    if (reverse) {
        intervals = intervalsOf(doc["intervals"]);
        intervalSide = "receiver";
    } else if (isObject(server) && Array.isArray(server["intervals"])) {
        intervals = intervalsOf(server["intervals"]);
        intervalSide = "receiver";
    } else {
        intervals = intervalsOf(doc["intervals"]);
        intervalSide = "sender";
    }

    const udp =
        protocol === "udp"
            ? {
                  lossPercent: num(end, "sum.lost_percent"),
                  lostPackets: num(end, "sum.lost_packets"),
                  packets: num(end, "sum.packets"),
                  jitterMs: num(end, "sum.jitter_ms"),
              }
            : {};
    const retransmits = protocol === "tcp" ? optNum(end, "sum_sent.retransmits") : undefined;
    const timestamp = optNum(doc, "start.timestamp.timesecs");
    return {
        version: String(field(doc, "start.version") ?? "iperf3 (version not reported)"),
        protocol,
        reverse,
        streams: num(testStart, "num_streams"),
        durationSeconds: num(testStart, "duration"),
        omitSeconds: optNum(testStart, "omit") ?? 0,
        receiverBitsPerSecond,
        senderBitsPerSecond,
        ...(retransmits !== undefined ? { retransmits } : {}),
        ...udp,
        intervals,
        intervalSide,
        ...(timestamp !== undefined ? { timestamp } : {}),
    };
}

/** Bits per second as Gbit/s (10^9). */
export function toGbps(bitsPerSecond: number): number {
    return bitsPerSecond / BITS_PER_GBIT;
}

/** One round: the receiver-side sum over concurrent flows (one iperf3 process each). */
export interface Iperf3Round {
    readonly bitsPerSecond: number;
    readonly retransmits?: number;
    readonly lossPercent?: number;
    readonly jitterMs?: number;
    /** Interval i is the sum of every flow's interval i (flows start together; the shortest series bounds it). */
    readonly intervals: readonly Iperf3Interval[];
    readonly intervalSide: "receiver" | "sender";
}

/** Combines the documents of the flows of one round. */
export function combineFlows(flows: readonly Iperf3Result[]): Iperf3Round {
    const first = flows[0];
    if (first === undefined) throw new Error("a round needs at least one iperf3 result");
    const bitsPerSecond = flows.reduce((s, f) => s + f.receiverBitsPerSecond, 0);
    const allRetransmits = flows.every((f) => f.retransmits !== undefined);
    const retransmits = allRetransmits ? flows.reduce((s, f) => s + (f.retransmits ?? 0), 0) : undefined;
    let udp = {};
    if (first.protocol === "udp") {
        const packets = flows.reduce((s, f) => s + (f.packets ?? 0), 0);
        const lost = flows.reduce((s, f) => s + (f.lostPackets ?? 0), 0);
        udp = {
            // Loss over all datagrams of the round; jitter averaged over flows as iperf3 does over streams.
            lossPercent: packets > 0 ? (100 * lost) / packets : 0,
            jitterMs: flows.reduce((s, f) => s + (f.jitterMs ?? 0), 0) / flows.length,
        };
    }
    const length = Math.min(...flows.map((f) => f.intervals.length));
    const intervals: Iperf3Interval[] = [];
    for (let i = 0; i < length; i++) {
        const parts = flows.map((f) => f.intervals[i]!);
        intervals.push({
            start: parts[0]!.start,
            end: parts[0]!.end,
            bitsPerSecond: parts.reduce((s, p) => s + p.bitsPerSecond, 0),
            omitted: parts.some((p) => p.omitted),
        });
    }
    return {
        bitsPerSecond,
        ...(retransmits !== undefined ? { retransmits } : {}),
        ...udp,
        intervals,
        intervalSide: flows.every((f) => f.intervalSide === "receiver") ? "receiver" : "sender",
    };
}
