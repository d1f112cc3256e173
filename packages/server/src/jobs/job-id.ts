import { randomUUID } from 'node:crypto';

/** A random (version 4) UUID, in lower case as `randomUUID` writes it. */
const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A new job's id: random, so ids cannot be guessed or enumerated. */
export function newJobId(): string {
  return randomUUID();
}

/**
 * Whether `text` has the form of the ids {@link newJobId} makes. Anything else names no job, and
 * must not reach the store: BullMQ keeps its own keys beside the jobs' (`meta`, `id`, `events`...).
 */
export function isJobId(text: string): boolean {
  return JOB_ID.test(text);
}
