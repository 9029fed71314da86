// Benchmarks as resources: components, the scenario catalogue, and the pure parsing,
// statistics and results modules they are built from.
export * from "./benchmarkSuite";
export * from "./commands";
export * from "./endpoint";
export * from "./iperf3";
export * from "./iperf3Benchmark";
export * from "./results";
export * from "./scenarios";
export * from "./sockperf";
export * from "./sockperfLatency";
export * from "./stats";
export * from "./verdict";
export * from "./samples";
