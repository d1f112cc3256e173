import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { redact } from '@connector-proxy/sdk';

/** A pino JSON logger whose every line has its sensitive fields redacted, at any depth. */
export function createLogger(level: LevelWithSilent, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'connector-proxy' },
      // pino's own `redact` takes fixed paths; secrets here hide under any name at any depth
      // (docs/protocol.md), so every logged object goes through the SDK's name-based redaction.
      formatters: { log: (object) => redact(object) as Record<string, unknown> },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}
