import { defineConnector, SdkErrorCodes } from '@connector-proxy/sdk';
import { sendEmail } from './commands/send-email.js';
import { SmtpErrorCodes } from './errors.js';
import { TransportCache } from './transport-cache.js';

/**
 * `smtp/SendEmail`. Setup makes one cache of pooled SMTP transports for the whole proxy; close
 * shuts their connections.
 */
export default defineConnector<TransportCache>({
  name: 'smtp',
  description: 'Sends e-mail through an SMTP server.',
  commands: [sendEmail],
  errorCodes: [...Object.values(SmtpErrorCodes), SdkErrorCodes.egressDenied],
  setup: ({ settings }) => new TransportCache({ timeoutMs: settings.httpTimeoutMs, egress: settings.egress }),
  close: (transports) => transports.close(),
});

export { sendEmail, type SendEmailBody } from './commands/send-email.js';
export { SmtpErrorCodes } from './errors.js';
export { TransportCache, type SmtpEndpoint } from './transport-cache.js';
