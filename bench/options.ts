/** The bench's command-line options. */
import { parseArgs } from 'node:util';
import type { LoadChoice } from './load.js';
import { SCENARIO_KEYS, type ScenarioKey } from './scenarios.js';

export interface BenchOptions {
  /** Seconds of each measured round. */
  readonly duration: number;
  /** Measured rounds per scenario and target, interleaved; the median one is reported. */
  readonly rounds: number;
  /** Seconds of load per scenario and target before the rounds, not measured. */
  readonly warmup: number;
  readonly connections: number;
  /** Load-generator threads. */
  readonly threads: number;
  /** The proxy's CONNECTOR_PROXY_WORKERS. */
  readonly workers: number;
  readonly upstream: 'auto' | 'nginx' | 'node';
  readonly load: LoadChoice;
  readonly scenarios: readonly ScenarioKey[];
  readonly build: boolean;
  /** Also measure the bare Node.js hop (bare-hop.ts) beside the proxy. */
  readonly bareHop: boolean;
  /** A second checkout, built, whose proxy is measured beside this one in the same rounds (A/B). */
  readonly before: string | undefined;
  /** The V8 flags the `--before` proxy runs with in place of the proxy's own: an A/B of flags. */
  readonly beforeNodeFlags: readonly string[] | undefined;
}

export const HELP = `Usage: npm run bench -- [options]

Measures the proxy against nginx proxy_pass to the same upstream (see bench/README.md).

Options:
  --duration <s>      seconds per measured round (default 5)
  --rounds <n>        measured rounds per scenario and target, interleaved (default 3)
  --warmup <s>        seconds of unmeasured load before the rounds (default 3)
  --connections <n>   concurrent connections (default 64)
  --threads <n>       load-generator threads (default 2)
  --workers <n>       the proxy's CONNECTOR_PROXY_WORKERS (default 1)
  --upstream <which>  auto | nginx | node (default auto: nginx when installed)
  --load <which>      auto | wrk | autocannon (default auto: wrk when installed)
  --only <keys>       comma-separated scenarios among ${SCENARIO_KEYS.join(', ')} (default all)
  --bare-hop          also measure the least a Node.js hop can do (bench/bare-hop.ts), as a reference
  --before <dir>      also measure the proxy of another checkout, already built (its
                      bundle, or its dist/cli.js), in the same interleaved rounds: an A/B
  --before-node-flags=<flags>
                      the V8 flags the --before proxy runs with, in place of the proxy's own
                      (bench/proxy-process.ts NODE_FLAGS): with --before ., an A/B of flags
  --no-build          do not run \`npm run build\` first
  -h, --help          print this help
`;

/** The options, or undefined when help was asked for. */
export function parseOptions(argv: string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '64' },
      threads: { type: 'string', default: '2' },
      workers: { type: 'string', default: '1' },
      upstream: { type: 'string', default: 'auto' },
      load: { type: 'string', default: 'auto' },
      only: { type: 'string', default: SCENARIO_KEYS.join(',') },
      'no-build': { type: 'boolean', default: false },
      'bare-hop': { type: 'boolean', default: false },
      before: { type: 'string' },
      'before-node-flags': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  if (values['before-node-flags'] !== undefined && values.before === undefined) throw new Error('--before-node-flags needs --before (--before . for the same checkout)');
  return {
    duration: whole('--duration', values.duration, 1, 600),
    rounds: whole('--rounds', values.rounds, 1, 50),
    warmup: whole('--warmup', values.warmup, 0, 600),
    connections: whole('--connections', values.connections, 1, 10_000),
    threads: whole('--threads', values.threads, 1, 64),
    workers: whole('--workers', values.workers, 1, 64),
    upstream: oneOf('--upstream', values.upstream, ['auto', 'nginx', 'node'] as const),
    load: oneOf('--load', values.load, ['auto', 'wrk', 'autocannon'] as const),
    scenarios: values.only.split(',').map((key) => oneOf('--only', key.trim(), SCENARIO_KEYS)),
    build: !values['no-build'],
    bareHop: values['bare-hop'],
    before: values.before,
    beforeNodeFlags: values['before-node-flags']?.split(/\s+/).filter(Boolean),
  };
}

function whole(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max} (got ${raw})`);
  return value;
}

function oneOf<T extends string>(name: string, raw: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(raw)) throw new Error(`${name} must be one of ${allowed.join(', ')} (got ${raw})`);
  return raw as T;
}
