// SIGTERM ends a peer through process.exit rather than killing it outright, so that Bun writes its CPU profile
// first when P1 runs it with BENCH_PROFILE (p1-pipeline.ts).
process.on("SIGTERM", () => process.exit(0))
