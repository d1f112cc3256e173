/** Running the bench's helper programs: each bounded in time, never left behind. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command` to its end, killing it after `timeoutMs`; rejects when it could not start or was killed. */
export async function runBounded(command: string, args: readonly string[], timeoutMs: number, options: SpawnOptions = {}): Promise<Finished> {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  try {
    const [code] = (await once(child, 'exit')) as [number | null];
    if (timedOut) throw new Error(`${command} ${args.join(' ')} did not finish within ${timeoutMs} ms`);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/** Sends `signal` and waits for the exit; SIGKILL when it has not exited within `timeoutMs`. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = once(child, 'exit') as Promise<[number | null]>;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = await exited;
  clearTimeout(timer);
  return code;
}

/** The full path of an executable on PATH (or the sbin folders, where Debian puts nginx), if any. */
export function findExecutable(name: string): string | undefined {
  const folders = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const folder of folders) {
    const candidate = path.join(folder, name);
    if (existsSync(candidate) && (statSync(candidate).mode & 0o111) !== 0) return candidate;
  }
  return undefined;
}
