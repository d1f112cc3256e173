import { redactUrls, type CommandLogger } from '@connector-proxy/sdk';

type Level = 'debug' | 'info' | 'warn' | 'error';
/** The part of a pino (or Fastify request) logger a command's lines go to. */
export type LogSink = Record<Level, (fields: Record<string, unknown>, message: string) => void>;

/**
 * The logger a command gets: each line goes to the envelope's `spiff__logs` (so the engine
 * copies it into its own log) and to the proxy's log, tagged with the command and request.
 */
export class CallLogger implements CommandLogger {
  readonly lines: string[] = [];

  constructor(private readonly log: LogSink) {}

  debug(message: string, fields?: Record<string, unknown>): void {
    this.write('debug', message, fields);
  }

  info(message: string, fields?: Record<string, unknown>): void {
    this.write('info', message, fields);
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    this.write('warn', message, fields);
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.write('error', message, fields);
  }

  private write(level: Level, text: string, fields: Record<string, unknown> | undefined): void {
    // A URL a connector writes into its message keeps no query value or token, as in its fields.
    const message = redactUrls(text);
    this.lines.push(`${level.toUpperCase()} ${message}`);
    this.log[level](fields ?? {}, message);
  }
}

/** A command-style logger that writes to the proxy's log only (for connector `setup`). */
export function proxyLogger(log: LogSink): CommandLogger {
  return {
    debug: (message, fields) => log.debug(fields ?? {}, message),
    info: (message, fields) => log.info(fields ?? {}, message),
    warn: (message, fields) => log.warn(fields ?? {}, message),
    error: (message, fields) => log.error(fields ?? {}, message),
  };
}
