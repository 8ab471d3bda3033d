// Preloaded into both benchmarked servers (node --expose-gc -r bench/gc-hook.cjs): SIGUSR2 runs a full garbage
// collection, so the load generator reads resident memory without the garbage of the connect phase in it.
process.on('SIGUSR2', () => globalThis.gc?.());
