import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import type PinoPretty from 'pino-pretty';
import { redact } from '@connector-proxy/sdk';

const require = createRequire(import.meta.url);

/** `json`: one JSON object a line, for log collectors; `pretty`: lines for a person at a terminal. */
export type LogFormat = 'json' | 'pretty';

/**
 * A pino logger whose every line has its sensitive fields redacted, at any depth. Lines carry
 * ISO times and level names (`"level":"warn"`), which a person reading `docker logs` or a
 * collector without pino's numbers understands alike.
 */
export function createLogger(level: LevelWithSilent, format: LogFormat | undefined, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'connector-proxy' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        // pino's own `redact` takes fixed paths; secrets here hide under any name at any depth
        // (docs/protocol.md), so every logged object goes through the SDK's name-based redaction.
        log: (object) => redact(object) as Record<string, unknown>,
      },
      serializers: { err: pino.stdSerializers.err },
    },
    (format ?? defaultFormat(destination)) === 'pretty' ? prettyStream(destination) : destination,
  );
}

/** A person at a terminal reads lines; a file, a pipe, a container's log or a given stream gets JSON. */
function defaultFormat(destination: DestinationStream | undefined): LogFormat {
  return destination === undefined && process.stdout.isTTY === true ? 'pretty' : 'json';
}

/**
 * Formats each JSON line in this process, as it is written: no worker thread (pino's transports
 * run in one), so `npm start`, cluster workers and a process that exits at once lose no line.
 * The line is formatted after redaction, so a pretty line hides what a JSON line hides.
 */
function prettyStream(destination: DestinationStream | undefined): DestinationStream {
  const target = destination ?? pino.destination(1);
  // Required here, not imported: JSON, the format of every container and log collector, never
  // needs pino-pretty, and importing it cost every start ~15 ms and ~2 MB.
  const { prettyFactory } = require('pino-pretty') as typeof PinoPretty;
  const format = prettyFactory({
    colorize: destination === undefined && process.stdout.isTTY === true,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
    ignore: 'pid,hostname,service',
  });
  return { write: (line: string) => target.write(format(line)) };
}
