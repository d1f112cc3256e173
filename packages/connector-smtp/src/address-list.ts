import addressparser, { type MailboxAddress } from 'nodemailer/lib/addressparser';
import type { ParameterProblem } from '@connector-proxy/sdk';

// One "@" with something on each side and no whitespace: enough to catch a name or a typo
// given where an address belongs, without second-guessing what the server accepts.
const ADDRESS = /^[^\s@]+@[^\s@]+$/;

/**
 * The mailboxes of an address parameter: a comma-separated string (`a@x.org, "Doe, J" <j@x.org>`)
 * or a list of such strings. Pushes a problem naming `parameter` for anything that is not an
 * address, and for an empty value when `required`.
 *
 * @example
 * parseAddresses('Ann <ann@x.org>, bob@x.org', 'email_to', problems)
 * // [{ name: 'Ann', address: 'ann@x.org' }, { name: '', address: 'bob@x.org' }]
 */
export function parseAddresses(
  value: string | readonly string[] | undefined,
  parameter: string,
  problems: ParameterProblem[],
  required = false,
): MailboxAddress[] {
  const entries = typeof value === 'string' ? [value] : (value ?? []);
  const mailboxes = entries.flatMap((entry) => addressparser(entry, { flatten: true }));
  const invalid = mailboxes.filter((mailbox) => !ADDRESS.test(mailbox.address));
  if (invalid.length > 0) {
    const shown = invalid.map((mailbox) => JSON.stringify(mailbox.address || mailbox.name)).join(', ');
    problems.push({ parameter, message: `holds something that is not an e-mail address: ${shown}` });
  } else if (required && mailboxes.length === 0) {
    problems.push({ parameter, message: 'must name at least one e-mail address' });
  }
  return mailboxes;
}
