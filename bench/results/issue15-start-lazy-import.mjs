const t0 = performance.now();
await import(process.argv[2]);
const ms = performance.now() - t0;
console.log(ms.toFixed(0), (process.memoryUsage().rss / 1e6).toFixed(1));
