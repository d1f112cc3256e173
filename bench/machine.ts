/** The machine the figures come from, and whether something else was using it when the run began. */
import os from 'node:os';

export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly node: string;
  /** Share of all cores busy over one second just before the run (0 to 1). */
  readonly busyAtStart: number;
}

const SAMPLE_MS = 1_000;

export async function describeMachine(): Promise<Machine> {
  const before = os.cpus();
  await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
  const after = os.cpus();
  let busy = 0;
  let total = 0;
  after.forEach((cpu, index) => {
    const earlier = before[index];
    if (earlier === undefined) return;
    const spent = (times: os.CpuInfo['times']): number => times.user + times.nice + times.sys + times.irq;
    const elapsed = spent(cpu.times) + cpu.times.idle - (spent(earlier.times) + earlier.times.idle);
    busy += spent(cpu.times) - spent(earlier.times);
    total += elapsed;
  });
  return { cpus: after.length, cpuModel: after[0]?.model ?? 'unknown', node: process.version, busyAtStart: total === 0 ? 0 : busy / total };
}
