import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { CallDurationHistogram, type DurationSeries } from './call-duration-histogram.js';
import { isThirdPartyFailure } from './errors.js';
import type { JobState } from './jobs/job-store.js';

/** How a call ended, as the call's log line says: answered, failed (any error envelope), or taken as a background job. */
export type CallOutcome = 'ok' | 'error' | 'accepted';

/** The label of calls to ids no connector offers: callers choose the path, so it must not become a label. */
const UNKNOWN_COMMAND = 'unknown';

const OUTCOMES: readonly CallOutcome[] = ['ok', 'error', 'accepted'];
const JOB_STATES: readonly JobState[] = ['accepted', 'running', 'delivering', 'delivered', 'failed'];

/** From a cached 1 ms answer to the engine's 45 s timeout (commands are cut at 40 s by default). */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 45];

/** A command's series, made once at start so a call only adds to numbers. */
interface CommandSeries {
  readonly label: string;
  /** Calls answered, by outcome: copied into the Prometheus counter at each scrape. */
  readonly calls: Record<CallOutcome, number>;
  readonly duration: DurationSeries;
}

/**
 * The proxy's Prometheus metrics, on a registry of its own (several proxies may share a process,
 * as tests do), with Node's default process metrics beside them. Commands are labelled by
 * registered id only, so label cardinality is fixed by the loaded connectors.
 */
export class ProxyMetrics {
  private readonly registry = new Registry();
  private readonly commands = new Map<string, CommandSeries>();
  private readonly unknown: CommandSeries;
  private readonly upstreamFailures: Counter<'command' | 'error_code'>;
  private readonly jobTransitions = new Map<JobState, { inc(): void }>();
  private readCallsInFlight: () => number = () => 0;

  constructor(commandIds: Iterable<string>) {
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    // Counted in plain numbers per call and handed to prom-client at each scrape: its label-bound
    // children still build, check and hash a label object on every increment.
    const series: CommandSeries[] = [];
    const calls: Counter<'command' | 'outcome'> = new Counter({
      name: 'connector_proxy_calls_total',
      help: 'POST /v1/do calls answered, by command and outcome (ok, error, accepted as a background job)',
      labelNames: ['command', 'outcome'] as const,
      registers,
      collect: () => {
        calls.reset();
        for (const { label, calls: counts } of series) {
          for (const outcome of OUTCOMES) calls.inc({ command: label, outcome }, counts[outcome]);
        }
      },
    });
    const duration = new CallDurationHistogram({
      name: 'connector_proxy_call_duration_seconds',
      help: 'Time from receiving a POST /v1/do call (its body read) to its answer, by command',
      labelName: 'command',
      buckets: DURATION_BUCKETS,
      registry: this.registry,
    });
    this.upstreamFailures = new Counter({
      name: 'connector_proxy_upstream_failures_total',
      help: 'Calls whose envelope error has a PascalCase code (a third party or the command\'s own work failed), by command and error_code',
      labelNames: ['command', 'error_code'] as const,
      registers,
    });
    const inFlight: Gauge = new Gauge({
      name: 'connector_proxy_calls_in_flight',
      help: 'POST /v1/do calls being handled now (background jobs count only while being accepted)',
      registers,
      // Read at each scrape from the route's own count: nothing to update on the hot path.
      collect: () => inFlight.set(this.readCallsInFlight()),
    });
    const jobs = new Counter({
      name: 'connector_proxy_jobs_total',
      help: 'Background job state transitions recorded by this process, by the state entered',
      labelNames: ['state'] as const,
      registers,
    });

    // Series present at 0 from the start let rate() and increase() see the first call.
    const seriesOf = (label: string): CommandSeries => {
      const made: CommandSeries = { label, calls: { ok: 0, error: 0, accepted: 0 }, duration: duration.series(label) };
      series.push(made);
      return made;
    };
    for (const id of commandIds) this.commands.set(id, seriesOf(id));
    this.unknown = seriesOf(UNKNOWN_COMMAND);
    for (const state of JOB_STATES) {
      this.jobTransitions.set(state, jobs.labels(state));
      jobs.inc({ state }, 0);
    }
  }

  /** The Content-Type of {@link render}'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Where the in-flight gauge reads its value at each scrape (the route that counts the calls). */
  observeCallsInFlight(read: () => number): void {
    this.readCallsInFlight = read;
  }

  /** Records one answered call; `errorCode` is the envelope's, when it has an error. */
  recordCall(commandId: string, outcome: CallOutcome, seconds: number, errorCode: string | undefined): void {
    const series = this.commands.get(commandId) ?? this.unknown;
    series.calls[outcome] += 1;
    series.duration.observe(seconds);
    if (errorCode !== undefined && isThirdPartyFailure(errorCode)) {
      this.upstreamFailures.inc({ command: series.label, error_code: errorCode });
    }
  }

  /** Records that a background job entered `state`. */
  recordJobTransition(state: JobState): void {
    this.jobTransitions.get(state)?.inc();
  }

  /** Every metric in the Prometheus text format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
