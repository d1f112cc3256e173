import { parseDataUrl, type ParameterProblem } from '@connector-proxy/sdk';
import type { Attachment } from 'nodemailer';

/**
 * The nodemailer attachments for the `attachments` parameter: a list of data URLs
 * (`data:<mime>;name=<file>;base64,<data>`), or one data URL alone. Pushes one problem per
 * bad entry, named `attachments[i]`.
 */
export function parseAttachments(value: unknown, problems: ParameterProblem[]): Attachment[] {
  if (value === undefined) return [];
  const entries = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(entries)) {
    problems.push({ parameter: 'attachments', message: 'must be a list of data URLs (data:<mime>;name=<file>;base64,<data>)' });
    return [];
  }
  const attachments: Attachment[] = [];
  entries.forEach((entry: unknown, index) => {
    const parameter = `attachments[${index}]`;
    if (typeof entry !== 'string') {
      problems.push({ parameter, message: 'must be a data URL string' });
      return;
    }
    const parsed = parseDataUrl(entry);
    if (!parsed.ok) {
      problems.push({ parameter, message: parsed.problem });
      return;
    }
    const { fileName, mediaType, bytes } = parsed.file;
    // Without a name mail clients show "noname"; a numbered name is at least tellable apart.
    attachments.push({ filename: fileName ?? `attachment-${index + 1}`, contentType: mediaType, content: bytes });
  });
  return attachments;
}
