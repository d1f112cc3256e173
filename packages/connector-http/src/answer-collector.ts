/**
 * One request through undici's `dispatch` API, its answer gathered whole within the size limit
 * and the response budget. `agent.request()` wraps every answer in a Readable stream, an
 * AsyncResource and a promise per read; the proxy reads every answer whole anyway, so taking
 * the chunks as undici parses them spares a small call that machinery (and its garbage) with
 * nothing given up: the same undici errors, the same header object (undici's `parseHeaders`).
 */
import { errors, type Dispatcher } from 'undici';
import { responseBudgetExceeded, type CommandError, type ResponseBudget } from '@connector-proxy/sdk';
import { announcedLength } from './announced-length.js';
import { memoryPerBodyByte } from './response-body.js';

/** What undici is given to send. */
export interface DispatchedRequest {
  origin: string;
  path: string;
  method: string;
  headers: Record<string, string | string[]>;
  body: Buffer | null;
}

/** The whole answer, or why it was not read to its end. */
export type CollectedAnswer =
  | { ok: true; status: number; headers: Record<string, string | string[] | undefined>; body: Uint8Array[] }
  /** Refused past a bound: the body (announced or as read) is over `maxBytes`, or the budget could not hold it. */
  | { ok: false; refusal: 'too-large' | CommandError };

/**
 * Where an answer's bytes go as undici parses them; {@link answer} settles once it is whole or
 * refused. A body of known length takes its bytes from the budget whole or not at all (calls
 * that fit are read to the end, rather than every call stalling half-read when many come at
 * once); one of unknown length takes them as they come. Past either bound the request is
 * aborted, which is how undici is told to close the connection mid-body, and the answer is the
 * refusal.
 */
export class AnswerCollector implements Dispatcher.DispatchHandler {
  readonly answer: Promise<CollectedAnswer>;
  private resolve!: (answer: CollectedAnswer) => void;
  private reject!: (error: unknown) => void;
  private controller: Dispatcher.DispatchController | undefined;
  /** Set when the request is cut off before undici started it: it is aborted as it starts. */
  private cutOffEarly = false;
  private settled = false;
  private status = 0;
  private headers: Record<string, string | string[] | undefined> = {};
  private readonly chunks: Uint8Array[] = [];
  private total = 0;
  /** Bytes of the budget one body byte takes (see memoryPerBodyByte). */
  private perByte = 1;
  /** Whether each chunk still has to be taken from the budget (no Content-Length). */
  private reservePerChunk = true;

  /**
   * Sends `request` through `dispatcher`. A transport failure (refused, reset, undici's
   * timeouts, a cut-off) rejects {@link answer} with undici's error.
   *
   * @example
   * const call = new AnswerCollector(agent, { origin, path: '/', method: 'GET', headers: {}, body: null }, 1024 * 1024, budget);
   * const timer = setTimeout(() => call.cutOff(), 5000);
   * const answer = await call.answer.finally(() => clearTimeout(timer));
   */
  constructor(
    dispatcher: Dispatcher,
    private readonly request: DispatchedRequest,
    private readonly maxBytes: number,
    /** The call's share of the proxy's response budget. */
    private readonly budget: ResponseBudget,
  ) {
    this.answer = new Promise<CollectedAnswer>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    dispatcher.dispatch(request, this);
  }

  /** Stops the request (the call's time is up); it then fails with undici's RequestAbortedError. */
  cutOff(): void {
    if (this.controller === undefined) this.cutOffEarly = true;
    else this.controller.abort(new errors.RequestAbortedError());
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.cutOffEarly) controller.abort(new errors.RequestAbortedError());
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    // 1xx answers (100 Continue, 103 Early Hints) come before the real one.
    if (statusCode < 200) return;
    this.status = statusCode;
    this.headers = headers;
    const contentType = headers['content-type'];
    this.perByte = memoryPerBodyByte(Array.isArray(contentType) ? contentType[0] : contentType);
    const announced = announcedLength(this.request.method, statusCode, headers['content-length']);
    if (announced === undefined) return;
    this.reservePerChunk = false;
    if (announced > this.maxBytes) return this.refuse(controller, 'too-large');
    if (!this.budget.reserve(announced * this.perByte)) this.refuse(controller, responseBudgetExceeded(this.budget.limitBytes));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    this.total += chunk.length;
    if (this.total > this.maxBytes) return this.refuse(controller, 'too-large');
    if (this.reservePerChunk && !this.budget.reserve(chunk.length * this.perByte)) {
      return this.refuse(controller, responseBudgetExceeded(this.budget.limitBytes));
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve({ ok: true, status: this.status, headers: this.headers, body: this.chunks });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    // After a refusal, the abort that followed it comes back here: the answer is given already.
    if (this.settled) return;
    this.settled = true;
    this.reject(error);
  }

  private refuse(controller: Dispatcher.DispatchController, refusal: 'too-large' | CommandError): void {
    this.settled = true;
    this.resolve({ ok: false, refusal });
    controller.abort(new errors.RequestAbortedError());
  }
}
