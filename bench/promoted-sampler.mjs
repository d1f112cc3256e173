// Loaded into the proxy by `npm run bench:gc -- --where` (node --import): the first SIGUSR2
// starts V8's sampling heap profiler, the second stops it and writes the profile to
// $CONNECTOR_PROXY_BENCH_PROFILE. It counts what survived the scavenges, freed since by a full
// collection or still alive, and leaves out what died young: the allocations that were promoted,
// by the stack that made them.
import { renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const session = new Session();
session.connect();
const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
let sampling = false;
process.on('SIGUSR2', async () => {
  sampling = !sampling;
  if (sampling) {
    await post('HeapProfiler.enable');
    await post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false });
    return;
  }
  const { profile } = await post('HeapProfiler.stopSampling');
  // Renamed into place whole: the bench takes the file as soon as it exists.
  const file = process.env.CONNECTOR_PROXY_BENCH_PROFILE;
  writeFileSync(`${file}.partial`, JSON.stringify(profile));
  renameSync(`${file}.partial`, file);
});
