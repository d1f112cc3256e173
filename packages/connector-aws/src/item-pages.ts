import type { CommandContext, CommandResult } from '@connector-proxy/sdk';
import { awsFailure } from './aws-failure.js';
import { toPlainJson } from './plain-json.js';

type AttributeMap = Record<string, unknown>;

/** The part of a Query or Scan answer that paging needs. */
export interface ItemPage {
  Items?: AttributeMap[] | undefined;
  LastEvaluatedKey?: AttributeMap | undefined;
}

/** Reads one page starting after `startKey` (undefined: from the start), at most `pageLimit` items. */
export type ReadPage = (startKey: AttributeMap | undefined, pageLimit: number | undefined) => Promise<ItemPage>;

/**
 * Reads page after page (DynamoDB stops each at 1 MB) until there are no more or `limit` items
 * are in hand, and answers `{ items, count }` with the items as plain JSON.
 *
 * @example
 * return readItemPages(ctx, 'Scan', table, params.limit, (startKey, pageLimit) =>
 *   dynamo.send(new sdk.ScanCommand({ TableName: table, ExclusiveStartKey: startKey, Limit: pageLimit }), { abortSignal: ctx.signal }));
 */
export async function readItemPages(
  ctx: CommandContext<unknown>,
  operation: 'Query' | 'Scan',
  table: string,
  limit: number | undefined,
  readPage: ReadPage,
): Promise<CommandResult> {
  const items: unknown[] = [];
  let startKey: AttributeMap | undefined;
  let pages = 0;
  do {
    const page = await readPageOf(table, readPage, startKey, limit === undefined ? undefined : limit - items.length);
    pages += 1;
    for (const item of page.Items ?? []) items.push(toPlainJson(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined && (limit === undefined || items.length < limit));
  ctx.log.info(`${operation} of DynamoDB table "${table}" read ${items.length} items in ${pages} page(s)`);
  return { body: { items, count: items.length }, httpStatus: 200 };
}

async function readPageOf(table: string, readPage: ReadPage, startKey: AttributeMap | undefined, pageLimit: number | undefined): Promise<ItemPage> {
  try {
    return await readPage(startKey, pageLimit);
  } catch (error) {
    throw awsFailure(error, { service: 'DynamoDB', table });
  }
}
