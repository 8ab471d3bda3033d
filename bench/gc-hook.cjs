// Preloaded into every benchmarked server (node --expose-gc -r bench/gc-hook.cjs): SIGUSR2 runs two full garbage
// collections, so the load generator reads resident memory without the garbage of the connect phase in it. Two,
// because one frees that garbage but leaves the pages it sat on resident: V8 picks the pages a collection
// compacts from the free space the collection before it found, so after one forced collection a server's memory
// depends on when V8 last collected on its own during the connect phase (the minimal relay read 4,600 to 5,900 bytes
// per connection from one run to the next that way); the second compacts them.
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  globalThis.gc?.();
});
