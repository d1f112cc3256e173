/**
 * The floors issue 15 sets for one worker, reported (never asserted: the bench measures, it does
 * not pass or fail). The yardstick is the bare Node.js hop measured in the same rounds
 * (`--bare-hop`): without it the ratios are unknown. The one-connection latency, idle memory and
 * start-time floors are measured apart (bench/README.md says how).
 */
import type { ScenarioFigures } from './report.js';

export interface FloorCheck {
  readonly floor: string;
  readonly measured: string;
  /** undefined: could not be measured here. */
  readonly met: boolean | undefined;
}

const RATIO_FLOOR = 0.8;
const RSS_FLOOR_MB = 120;

export function checkFloors(scenarios: readonly ScenarioFigures[]): FloorCheck[] {
  const checks: FloorCheck[] = [];
  const ratioFloor = (key: string, label: string, maxP99Ms: number | undefined): void => {
    const scenario = scenarios.find((s) => s.key === key);
    if (scenario === undefined) return;
    const { proxy, bareHop } = scenario;
    const ratio = bareHop === undefined ? undefined : proxy.callsPerSecond / bareHop.callsPerSecond;
    const p99 = maxP99Ms === undefined ? '' : `, p99 <= ${maxP99Ms} ms`;
    checks.push({
      floor: `${label}: >= ${RATIO_FLOOR} of the bare hop${p99}`,
      measured: `${ratio === undefined ? 'ratio n/a (no --bare-hop)' : ratio.toFixed(2)}, p99 ${proxy.p99Ms.toFixed(1)} ms`,
      met: ratio === undefined ? undefined : ratio >= RATIO_FLOOR && (maxP99Ms === undefined || proxy.p99Ms <= maxP99Ms),
    });
  };
  ratioFloor('small', 'small JSON', 10);
  ratioFloor('large', '100 KB JSON', 100);
  ratioFloor('post', '10 KB JSON POST echoed', undefined);
  // The issue sets the memory floor "under the small and 100 KB loads".
  const floorLoads = scenarios.filter((s) => s.key === 'small' || s.key === 'large');
  if (floorLoads.length > 0) {
    const rss = Math.max(...floorLoads.map((s) => s.proxy.rssMb));
    checks.push({ floor: `proxy resident memory <= ${RSS_FLOOR_MB} MB under the small and 100 KB JSON loads`, measured: `${rss.toFixed(0)} MB at most`, met: rss <= RSS_FLOOR_MB });
  }
  return checks;
}
