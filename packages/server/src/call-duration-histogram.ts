import type { Histogram, Registry } from 'prom-client';

/** One command's durations: what a call adds to. */
export interface DurationSeries {
  observe(seconds: number): void;
}

interface SeriesCounts {
  readonly labels: Readonly<Record<string, string>>;
  /** Calls per bucket, not cumulative (the last is above every bound); summed at scrape. */
  readonly perBucket: number[];
  sum: number;
  count: number;
}

/**
 * A Prometheus histogram of call durations whose series are made at start and whose
 * observation is one comparison loop and three additions. prom-client's own Histogram, even
 * through a label-bound child, builds a label object, validates it and hashes it on every
 * observation, the largest share of the proxy's bookkeeping per call; here that work is done
 * once per scrape instead. prom-client still formats it: this is registered on the same
 * registry, in the shape its Histogram gives (`_bucket` with `le`, `_sum`, `_count`).
 *
 * @example
 * const histogram = new CallDurationHistogram({ name: 'x_seconds', help: '...', labelName: 'command', buckets: [0.1, 1], registry });
 * histogram.series('http/GetRequest').observe(0.042);
 */
export class CallDurationHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  /** How prom-client's cluster aggregation would combine workers' series. */
  readonly aggregator = 'sum';
  private readonly labelName: string;
  private readonly bounds: readonly number[];
  private readonly all: SeriesCounts[] = [];

  constructor(options: { name: string; help: string; labelName: string; buckets: readonly number[]; registry: Registry }) {
    this.name = options.name;
    this.help = options.help;
    this.labelName = options.labelName;
    this.bounds = [...options.buckets].sort((a, b) => a - b);
    // The registry reads name, help, type and get(): the members prom-client's own metrics share.
    options.registry.registerMetric(this as unknown as Histogram);
  }

  /** The series of one label value, present (at 0) from now on. */
  series(labelValue: string): DurationSeries {
    const counts: SeriesCounts = { labels: { [this.labelName]: labelValue }, perBucket: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
    this.all.push(counts);
    const { bounds } = this;
    return {
      observe(seconds) {
        let bucket = 0;
        while (bucket < bounds.length && seconds > (bounds[bucket] as number)) bucket += 1;
        counts.perBucket[bucket] = (counts.perBucket[bucket] as number) + 1;
        counts.sum += seconds;
        counts.count += 1;
      },
    };
  }

  /** Every series as prom-client's Histogram gives it to the registry. */
  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> }> {
    const values = [];
    for (const counts of this.all) {
      let cumulative = 0;
      for (const [index, bound] of this.bounds.entries()) {
        cumulative += counts.perBucket[index] as number;
        values.push({ labels: { le: bound, ...counts.labels }, value: cumulative, metricName: `${this.name}_bucket` });
      }
      values.push(
        { labels: { le: '+Inf', ...counts.labels }, value: counts.count, metricName: `${this.name}_bucket` },
        { labels: { ...counts.labels }, value: counts.sum, metricName: `${this.name}_sum` },
        { labels: { ...counts.labels }, value: counts.count, metricName: `${this.name}_count` },
      );
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  /** What the registry's resetMetrics() asks of every metric. */
  reset(): void {
    for (const counts of this.all) {
      counts.perBucket.fill(0);
      counts.sum = 0;
      counts.count = 0;
    }
  }
}
