/**
 * Resident memory of a process and its descendants (a cluster's primary and workers, nginx's
 * master and worker), from /proc, sampled while load runs.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';

const SAMPLE_MS = 200;

/** Samples until stopped; `stop()` gives the largest total seen, in bytes (0 where /proc is absent). */
export function sampleResidentMemory(pid: number): { stop(): number } {
  let max = 0;
  const sample = (): void => {
    max = Math.max(max, treeResidentBytes(pid));
  };
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return max;
    },
  };
}

export function treeResidentBytes(pid: number): number {
  let total = 0;
  for (const member of processTree(pid)) total += residentBytes(member);
  return total;
}

/** `VmRSS` of one process; 0 once it is gone. */
function residentBytes(pid: number): number {
  return statusBytes(pid, 'VmRSS');
}

/** `VmHWM` of one process: the most it was ever resident, as the kernel counted it (0 once it is gone). */
export function peakResidentBytes(pid: number): number {
  return statusBytes(pid, 'VmHWM');
}

function statusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readIfPresent(`/proc/${pid}/status`);
  const kilobytes = status === undefined ? undefined : new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
  return kilobytes === undefined ? 0 : Number(kilobytes) * 1024;
}

/** The process and all its descendants, through each thread's `children` list. */
export function processTree(pid: number): number[] {
  const tree = [pid];
  for (let i = 0; i < tree.length; i += 1) {
    const tasks = `/proc/${tree[i]}/task`;
    if (!existsSync(tasks)) continue;
    for (const task of readdirSync(tasks)) {
      const children = readIfPresent(`${tasks}/${task}/children`) ?? '';
      for (const child of children.split(' ')) if (child.trim() !== '') tree.push(Number(child));
    }
  }
  return tree;
}

/** A /proc file's text, or undefined when the process went away between listing and reading. */
function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return undefined;
    throw error;
  }
}
