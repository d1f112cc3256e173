/** The report as the one table a person reads, and the floors under it. */
import type { FloorCheck } from './floors.js';
import type { BenchReport, TargetFigures } from './report.js';

const HEADER = ['scenario', 'target', 'calls/s', 'p50 ms', 'p99 ms', 'errors', 'RSS MB', 'CPU µs/call', 'of nginx', 'of bare hop'];

export function renderTable(report: BenchReport, floors: readonly FloorCheck[]): string {
  const proxyName = report.settings.workers === 1 ? 'proxy' : `proxy ×${report.settings.workers}`;
  const rows: string[][] = [];
  for (const scenario of report.scenarios) {
    // The bare hop is the yardstick of issue 15: the proxies' calls/s beside its own.
    const ofBareHop = (target: TargetFigures): string => (scenario.bareHop === undefined ? '' : ratio(target.callsPerSecond / scenario.bareHop.callsPerSecond));
    rows.push([scenario.title, proxyName, ...figures(scenario.proxy), ratio(scenario.ratio), ofBareHop(scenario.proxy)]);
    if (scenario.before !== undefined) rows.push(['', `${proxyName} before`, ...figures(scenario.before), ratio(scenario.beforeRatio), ofBareHop(scenario.before)]);
    if (scenario.bareHop !== undefined) rows.push(['', 'bare Node hop', ...figures(scenario.bareHop), ratio(scenario.bareHopRatio), '']);
    if (scenario.nginx !== undefined) rows.push(['', 'nginx proxy_pass', ...figures(scenario.nginx), '']);
  }
  const s = report.settings;
  const lines = [
    `upstream: ${report.upstream}; load: ${report.loadGenerator}, ${s.connections} connections, ${s.threads} thread(s); ` +
      `${s.warmupSeconds} s warm-up, then ${s.rounds} interleaved rounds of ${s.roundSeconds} s, median round shown`,
    `machine: ${report.machine.cpus} × ${report.machine.cpuModel}, Node ${report.machine.node}, cores ${Math.round(report.machine.busyAtStart * 100)} % busy at start`,
    '',
    ...grid([HEADER, ...rows]),
    ...latencyWarnings(report),
    '',
    `floors (issue 15, set for one worker${s.workers === 1 ? '' : `; this run had ${s.workers}`}; reported, not asserted):`,
    ...floors.map((check) => `  ${check.met === undefined ? '?   ' : check.met ? 'met ' : 'MISS'} ${check.floor} (measured ${check.measured})`),
  ];
  return `${lines.join('\n')}\n`;
}

/** How far a mean latency may exceed what Little's law allows before the percentiles are called into doubt. */
const LITTLE_TOLERANCE = 1.25;

/**
 * A closed loop of N connections at R calls/s has a mean latency of N ÷ R (Little's law). A
 * load generator reporting a mean well above that timed some calls longer than they took: wrk
 * does so against a server whose every call costs a few hundred microseconds of CPU (measured:
 * the server saw at most ~60 ms between an answer and the next call on a connection while wrk
 * reported calls of up to 1 s). Its p99 is then an overestimate, and the table says so.
 */
function latencyWarnings(report: BenchReport): string[] {
  const connections = report.settings.connections;
  const warnings: string[] = [];
  for (const scenario of report.scenarios) {
    for (const [name, target] of [['proxy', scenario.proxy], ['proxy before', scenario.before], ['bare hop', scenario.bareHop], ['nginx', scenario.nginx]] as const) {
      if (target === undefined || target.callsPerSecond === 0) continue;
      const littleMs = (connections / target.callsPerSecond) * 1000;
      if (target.meanMs > littleMs * LITTLE_TOLERANCE) {
        warnings.push(
          `note: ${scenario.title}, ${name}: mean latency ${target.meanMs.toFixed(1)} ms, but ${connections} connections at this rate allow ${littleMs.toFixed(1)} ms ` +
            `(Little's law): the load generator over-timed some calls, so this p99 overstates; --load autocannon cross-checks`,
        );
      }
    }
  }
  return warnings;
}

function ratio(value: number | undefined): string {
  return value === undefined ? 'n/a' : value.toFixed(2);
}

function figures(target: TargetFigures): string[] {
  return [Math.round(target.callsPerSecond).toLocaleString('en-US'), target.p50Ms.toFixed(2), target.p99Ms.toFixed(2), String(target.errors), target.rssMb.toFixed(0), target.cpuUsPerCall.toFixed(0)];
}

/** Text columns, the first row a header: the first `textColumns` left-aligned, numbers right-aligned. */
export function grid(rows: readonly string[][], textColumns = 2): string[] {
  const widths = (rows[0] ?? []).map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]): string =>
    row.map((cell, column) => (column < textColumns ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ').trimEnd();
  return [line(rows[0] ?? []), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.slice(1).map(line)];
}
