/**
 * The floors issue 5 sets for one worker, reported (never asserted: the bench measures, it does
 * not pass or fail). Without nginx the ratios are unknown.
 */
import type { ScenarioFigures } from './report.js';

export interface FloorCheck {
  readonly floor: string;
  readonly measured: string;
  /** undefined: could not be measured here. */
  readonly met: boolean | undefined;
}

const RSS_FLOOR_MB = 150;

export function checkFloors(scenarios: readonly ScenarioFigures[]): FloorCheck[] {
  const checks: FloorCheck[] = [];
  const ratioFloor = (key: string, label: string, minRatio: number, maxP99Ms: number): void => {
    const scenario = scenarios.find((s) => s.key === key);
    if (scenario === undefined) return;
    const { ratio, proxy } = scenario;
    checks.push({
      floor: `${label}: >= ${minRatio} of nginx, p99 <= ${maxP99Ms} ms`,
      measured: `${ratio === undefined ? 'ratio n/a' : ratio.toFixed(2)}, p99 ${proxy.p99Ms.toFixed(1)} ms`,
      met: ratio === undefined ? undefined : ratio >= minRatio && proxy.p99Ms <= maxP99Ms,
    });
  };
  ratioFloor('small', 'small JSON', 0.5, 10);
  ratioFloor('large', '100 KB JSON', 0.3, 100);
  // The issue sets the memory floor "under that load": the small and 100 KB JSON scenarios.
  // The other scenarios' figures are in the table, not in this floor.
  const floorLoads = scenarios.filter((s) => s.key === 'small' || s.key === 'large');
  if (floorLoads.length > 0) {
    const rss = Math.max(...floorLoads.map((s) => s.proxy.rssMb));
    checks.push({ floor: `proxy resident memory <= ${RSS_FLOOR_MB} MB under the small and 100 KB JSON loads`, measured: `${rss.toFixed(0)} MB at most`, met: rss <= RSS_FLOOR_MB });
  }
  return checks;
}
