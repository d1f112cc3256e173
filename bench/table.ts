/** The report as the one table a person reads, and the floors under it. */
import type { FloorCheck } from './floors.js';
import type { BenchReport, TargetFigures } from './report.js';

const HEADER = ['scenario', 'target', 'calls/s', 'p50 ms', 'p99 ms', 'errors', 'RSS MB', 'proxy/nginx'];

export function renderTable(report: BenchReport, floors: readonly FloorCheck[]): string {
  const proxyName = report.settings.workers === 1 ? 'proxy' : `proxy ×${report.settings.workers}`;
  const rows: string[][] = [];
  for (const scenario of report.scenarios) {
    rows.push([scenario.title, proxyName, ...figures(scenario.proxy), scenario.ratio === undefined ? 'n/a' : scenario.ratio.toFixed(2)]);
    if (scenario.nginx !== undefined) rows.push(['', 'nginx proxy_pass', ...figures(scenario.nginx), '']);
  }
  const s = report.settings;
  const lines = [
    `upstream: ${report.upstream}; load: ${report.loadGenerator}, ${s.connections} connections, ${s.threads} thread(s); ` +
      `${s.warmupSeconds} s warm-up, then ${s.rounds} interleaved rounds of ${s.roundSeconds} s, median round shown`,
    `machine: ${report.machine.cpus} × ${report.machine.cpuModel}, Node ${report.machine.node}, cores ${Math.round(report.machine.busyAtStart * 100)} % busy at start`,
    '',
    ...grid([HEADER, ...rows]),
    '',
    `floors (issue 5, set for one worker${s.workers === 1 ? '' : `; this run had ${s.workers}`}; reported, not asserted):`,
    ...floors.map((check) => `  ${check.met === undefined ? '?   ' : check.met ? 'met ' : 'MISS'} ${check.floor} (measured ${check.measured})`),
  ];
  return `${lines.join('\n')}\n`;
}

function figures(target: TargetFigures): string[] {
  return [Math.round(target.callsPerSecond).toLocaleString('en-US'), target.p50Ms.toFixed(2), target.p99Ms.toFixed(2), String(target.errors), target.rssMb.toFixed(0)];
}

/** Text columns: the first two left-aligned, numbers right-aligned. */
function grid(rows: readonly string[][]): string[] {
  const widths = HEADER.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]): string =>
    row.map((cell, column) => (column < 2 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ').trimEnd();
  return [line(rows[0] ?? []), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.slice(1).map(line)];
}
