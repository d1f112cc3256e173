/**
 * CPU time a process and its descendants have used, from /proc (user plus system), for the CPU
 * each call costs: on a machine shared with other work calls/s swing with what else runs, while
 * the CPU a target spends per call stays put, so A/B differences show in it first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { processTree } from './memory.js';

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** Seconds of CPU used so far by `pid`'s tree (0 where /proc is absent). */
export function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  for (const member of processTree(pid)) ticks += cpuTicks(member);
  return ticks / TICKS_PER_SECOND;
}

function cpuTicks(pid: number): number {
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return 0;
  try {
    // After the command's name (in parentheses, which may hold spaces): utime and stime are fields 14 and 15.
    const fields = readFileSync(file, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  } catch {
    return 0; // the process ended between listing and reading
  }
}
