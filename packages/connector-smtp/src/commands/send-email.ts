import {
  defineCommand,
  invalidParameters,
  Type,
  type CommandContext,
  type ParameterProblem,
  type Static,
  type TObject,
} from '@connector-proxy/sdk';
import type { SendMailOptions } from 'nodemailer';
import { parseAddresses } from '../address-list.js';
import { parseAttachments } from '../attachments.js';
import { toSendFailure } from '../send-failure.js';
import type { SmtpEndpoint, TransportCache } from '../transport-cache.js';

// cc and bcc are this proxy's additions, free to take a list as well as a comma-separated string.
// email_to stays a plain string: docs/protocol.md lists it as `str` for the editor.
const addressList = (description: string) => Type.Union([Type.String(), Type.Array(Type.String())], { description });

const parameters = {
  smtp_host: Type.String({ minLength: 1, description: 'Host name or IP address of the SMTP server, e.g. smtp.example.org' }),
  smtp_port: Type.Integer({
    minimum: 1,
    maximum: 65535,
    description: 'Port of the SMTP server, 1 to 65535: usually 587 (with smtp_starttls) or 25; implicit TLS (465) is not supported',
  }),
  email_subject: Type.String({ description: 'Subject line of the e-mail' }),
  email_body: Type.String({ description: 'Plain-text body of the e-mail' }),
  email_to: Type.String({ description: 'Recipients, comma-separated, e.g. ann@example.org, "Doe, Bob" <bob@example.org>' }),
  email_from: Type.String({ description: 'The sender, one address, e.g. Reports <reports@example.org>' }),
  smtp_user: Type.Optional(Type.String({ description: 'Login name for the SMTP server, given together with smtp_password; empty means no login' })),
  smtp_password: Type.Optional(Type.String({ description: 'Login password for the SMTP server, given together with smtp_user; never logged' })),
  smtp_starttls: Type.Optional(
    Type.Boolean({ description: 'true: encrypt the connection with STARTTLS and refuse to send without it; default false (plain text)' }),
  ),
  email_cc: Type.Optional(addressList('Cc recipients: a comma-separated string or a list of addresses')),
  email_bcc: Type.Optional(addressList('Bcc recipients, as for email_cc: they receive the e-mail but appear in no header')),
  email_html: Type.Optional(Type.String({ description: 'An HTML version of the body, which mail clients show instead of email_body' })),
  email_reply_to: Type.Optional(Type.String({ description: 'Reply-To address(es), comma-separated' })),
  attachments: Type.Optional(
    Type.Any({ description: 'Files to attach: a list of data URLs data:<mime>;name=<file>;base64,<data> (as SpiffArena\'s file widget makes them), or a single one' }),
  ),
};

type SendEmailParameters = Static<TObject<typeof parameters>>;

/** What the workflow stores: what the server accepted for delivery. */
export interface SendEmailBody {
  message_id: string;
  accepted: string[];
  rejected: string[];
  response: string;
}

export const sendEmail = defineCommand<typeof parameters, TransportCache>({
  name: 'SendEmail',
  description:
    'Sends an e-mail through an SMTP server, optionally over STARTTLS and with a login, with an optional HTML body, cc, bcc and attachments (data URLs).',
  parameters,
  async run(params, context) {
    const problems: ParameterProblem[] = [];
    const message = composeMessage(params, problems);
    const credentials = credentialsOf(params, problems);
    if (problems.length > 0) throw invalidParameters(problems);

    const endpoint: SmtpEndpoint = {
      host: params.smtp_host,
      port: params.smtp_port,
      starttls: params.smtp_starttls === true,
      credentials,
    };
    return send(endpoint, message, context);
  },
});

async function send(endpoint: SmtpEndpoint, message: SendMailOptions, context: CommandContext<TransportCache>) {
  const server = `${endpoint.host}:${endpoint.port}`;
  context.log.info('Sending e-mail', {
    server,
    starttls: endpoint.starttls,
    login: endpoint.credentials !== undefined,
    attachments: message.attachments?.length ?? 0,
  });
  let info;
  try {
    info = await context.config.get(endpoint).sendMail({ ...message, signal: context.signal });
  } catch (error) {
    throw toSendFailure(error, { server, secrets: secretsOf(endpoint.credentials) });
  }
  context.log.info('E-mail accepted by the SMTP server', { accepted: info.accepted.length, rejected: info.rejected.length });
  const body: SendEmailBody = {
    message_id: info.messageId,
    accepted: info.accepted,
    rejected: info.rejected,
    response: info.response,
  };
  return { body, httpStatus: 200 };
}

/** The nodemailer message for the parameters; bad addresses and attachments go to `problems`. */
function composeMessage(params: SendEmailParameters, problems: ParameterProblem[]): SendMailOptions {
  const from = parseAddresses(params.email_from, 'email_from', problems, true);
  if (from.length > 1) problems.push({ parameter: 'email_from', message: 'must be a single e-mail address' });
  return {
    from: from[0],
    to: parseAddresses(params.email_to, 'email_to', problems, true),
    cc: parseAddresses(params.email_cc, 'email_cc', problems),
    bcc: parseAddresses(params.email_bcc, 'email_bcc', problems),
    replyTo: parseAddresses(params.email_reply_to, 'email_reply_to', problems),
    subject: params.email_subject,
    text: params.email_body,
    html: params.email_html,
    attachments: parseAttachments(params.attachments, problems),
  };
}

/**
 * The login, when one is asked for. Forms often send "" for a field left empty, so an empty
 * user or password counts as absent; one without the other is a mistake worth naming.
 */
function credentialsOf(params: SendEmailParameters, problems: ParameterProblem[]): SmtpEndpoint['credentials'] {
  const user = params.smtp_user ?? '';
  const password = params.smtp_password ?? '';
  if (user === '' && password === '') return undefined;
  if (user === '') problems.push({ parameter: 'smtp_user', message: 'is required when smtp_password is given' });
  if (password === '') problems.push({ parameter: 'smtp_password', message: 'is required when smtp_user is given' });
  return { user, password };
}

/** The password as it may appear on the wire: plain, and base64 as AUTH LOGIN and AUTH PLAIN send it. */
function secretsOf(credentials: SmtpEndpoint['credentials']): string[] {
  if (!credentials) return [];
  const { user, password } = credentials;
  const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  return [password, base64(password), base64(`\u0000${user}\u0000${password}`)];
}
