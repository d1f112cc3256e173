import { TEST_CREDENTIALS } from './fixtures/aws-test-env.js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists, type KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { startProxy, type RunningProxy } from '@connector-proxy/server';
import aws from '../src/index.js';
import { startDynalite, startSilentServer, unusedUrl, type LocalService } from './fixtures/local-aws.js';
import { callAws, LogCapture } from './fixtures/proxy-call.js';

type KeyType = 'S' | 'N';

describe('aws DynamoDB commands', () => {
  let dynamodb: LocalService;
  let proxy: RunningProxy;
  let seeder: DynamoDBClient;
  const logs = new LogCapture();

  async function createTable(name: string, partition: [string, KeyType], sort?: [string, KeyType]): Promise<void> {
    const keys: Array<[string, KeyType, KeySchemaElement['KeyType']]> = [[...partition, 'HASH']];
    if (sort) keys.push([...sort, 'RANGE']);
    await seeder.send(new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: keys.map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
      KeySchema: keys.map(([AttributeName, , KeyType]) => ({ AttributeName, KeyType })),
    }));
    await waitUntilTableExists({ client: seeder, maxWaitTime: 10, minDelay: 1, maxDelay: 1 }, { TableName: name });
  }

  before(async () => {
    dynamodb = await startDynalite();
    seeder = new DynamoDBClient({ region: 'us-east-1', endpoint: dynamodb.url, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    await Promise.all([
      createTable('orders', ['customer', 'S'], ['order_id', 'S']),
      createTable('readings', ['sensor', 'S'], ['at', 'N']),
      createTable('documents', ['id', 'S']),
      createTable('big_items', ['id', 'S']),
    ]);
    proxy = await startProxy({ connectors: [aws], env: { ...TEST_CREDENTIALS, AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url }, logStream: logs });
  });

  after(async () => {
    await proxy?.close();
    seeder?.destroy();
    await dynamodb?.close();
  });

  test('the commands are listed with the protocol parameters', async () => {
    const response = await fetch(`${proxy.url}/v1/commands`);
    const commands = (await response.json()) as Array<{ id: string; parameters: Array<{ id: string; type: string; required: boolean; description?: string }> }>;
    // The protocol's fields; descriptions are checked for every connector in packages/server/test/command-descriptions.test.ts.
    const parameters = (id: string) => commands.find((command) => command.id === id)?.parameters.map(({ description: _, ...listed }) => listed);
    assert.deepEqual(parameters('aws/AddDynamoItem'), [
      { id: 'table_name', type: 'str', required: true },
      { id: 'item_data', type: 'any', required: true },
    ]);
    assert.deepEqual(parameters('aws/QueryDynamoTable')?.slice(0, 3), [
      { id: 'table_name', type: 'str', required: true },
      { id: 'partition_key', type: 'str', required: true },
      { id: 'sort_key', type: 'str', required: false },
    ]);
    assert.deepEqual(parameters('aws/ScanDynamoTable'), [
      { id: 'table_name', type: 'str', required: true },
      { id: 'limit', type: 'int', required: false },
    ]);
    assert.deepEqual(parameters('aws/UploadFileData')?.map((p) => p.id), ['file_data', 'bucket', 'object_name']);
  });

  test('added items come back from a query as plain JSON, by partition key and by sort key', async () => {
    const first = { customer: 'ada', order_id: 'o-1', total: 1.5, lines: [{ sku: 'tea', qty: 2, price: 0.75 }], shipping: { city: 'Bern', express: true, note: null } };
    const second = { customer: 'ada', order_id: 'o-2', total: -3.25, lines: [], shipping: {} };
    const other = { customer: 'bob', order_id: 'o-3', total: 10 };
    for (const item of [first, second, other]) {
      const added = await callAws(proxy.url, 'AddDynamoItem', { table_name: 'orders', item_data: item });
      assert.equal(added.status, 200);
      assert.equal(added.envelope.error, null);
      assert.deepEqual(added.body, { table_name: 'orders', item });
    }

    const byCustomer = await callAws(proxy.url, 'QueryDynamoTable', { table_name: 'orders', partition_key: 'ada', sort_key: null });
    assert.equal(byCustomer.envelope.error, null);
    assert.equal(byCustomer.envelope.command_response.http_status, 200);
    assert.deepEqual(byCustomer.body, { items: [first, second], count: 2 });

    const one = await callAws(proxy.url, 'QueryDynamoTable', { table_name: 'orders', partition_key: 'ada', sort_key: 'o-2' });
    assert.deepEqual(one.body, { items: [second], count: 1 });

    const none = await callAws(proxy.url, 'QueryDynamoTable', { table_name: 'orders', partition_key: 'nobody' });
    assert.deepEqual(none.body, { items: [], count: 0 });
  });

  test('item_data may also be a string holding a JSON object', async () => {
    const added = await callAws(proxy.url, 'AddDynamoItem', { table_name: 'documents', item_data: '{"id": "as-text", "score": 0.5}' });
    assert.deepEqual(added.body, { table_name: 'documents', item: { id: 'as-text', score: 0.5 } });
    const found = await callAws(proxy.url, 'QueryDynamoTable', { table_name: 'documents', partition_key: 'as-text' });
    assert.deepEqual(found.body, { items: [{ id: 'as-text', score: 0.5 }], count: 1 });
  });

  test('a numeric sort key is given as text and matched as a number', async () => {
    for (const at of [1700000000, 1700000060.5]) {
      await callAws(proxy.url, 'AddDynamoItem', { table_name: 'readings', item_data: { sensor: 's1', at, celsius: 21.5 } });
    }
    const found = await callAws(proxy.url, 'QueryDynamoTable', { table_name: 'readings', partition_key: 's1', sort_key: '1700000060.5' });
    assert.deepEqual(found.body, { items: [{ sensor: 's1', at: 1700000060.5, celsius: 21.5 }], count: 1 });

    const notANumber = await callAws(proxy.url, 'QueryDynamoTable', { table_name: 'readings', partition_key: 's1', sort_key: 'yesterday' });
    assert.equal(notANumber.status, 400);
    assert.equal(notANumber.envelope.error?.error_code, 'invalid_parameters');
    assert.match(notANumber.envelope.error?.message ?? '', /sort_key/);
  });

  test('sets, binary and huge integers written by other tools come out as plain JSON', async () => {
    const documents = DynamoDBDocumentClient.from(seeder);
    await documents.send(new PutCommand({
      TableName: 'documents',
      Item: { id: 'native', tags: new Set(['a', 'b']), sizes: new Set([1, 2.5]), blob: Uint8Array.from([0, 1, 255]), big: 12345678901234567890n },
    }));
    const found = await callAws(proxy.url, 'QueryDynamoTable', { table_name: 'documents', partition_key: 'native' });
    assert.equal(found.envelope.error, null);
    const [item] = (found.body.items as Array<Record<string, unknown>>);
    assert.deepEqual({ ...item, tags: (item?.tags as string[]).sort(), sizes: (item?.sizes as number[]).sort() }, {
      id: 'native', tags: ['a', 'b'], sizes: [1, 2.5], blob: Buffer.from([0, 1, 255]).toString('base64'), big: '12345678901234567890',
    });
  });

  test('a scan pages through a table larger than one DynamoDB page, and stops at limit', async () => {
    // dynalite, like DynamoDB, ends a page at 1 MB: six 300 kB items need two pages.
    const padding = 'x'.repeat(300 * 1024);
    const documents = DynamoDBDocumentClient.from(seeder);
    for (let i = 0; i < 6; i += 1) {
      await documents.send(new PutCommand({ TableName: 'big_items', Item: { id: `item-${i}`, n: i, padding } }));
    }

    const all = await callAws(proxy.url, 'ScanDynamoTable', { table_name: 'big_items' });
    assert.equal(all.envelope.error, null);
    assert.equal(all.body.count, 6);
    const ids = (all.body.items as Array<{ id: string; padding: string }>).map((item) => item.id).sort();
    assert.deepEqual(ids, ['item-0', 'item-1', 'item-2', 'item-3', 'item-4', 'item-5']);
    assert.match(all.envelope.spiff__logs.join('\n'), /6 items in 2 page/);

    const acrossPages = await callAws(proxy.url, 'ScanDynamoTable', { table_name: 'big_items', limit: 5 });
    assert.equal(acrossPages.body.count, 5);
    assert.equal(new Set((acrossPages.body.items as Array<{ id: string }>).map((item) => item.id)).size, 5);

    const few = await callAws(proxy.url, 'ScanDynamoTable', { table_name: 'big_items', limit: 2 });
    assert.equal(few.body.count, 2);
    assert.match(few.envelope.spiff__logs.join('\n'), /2 items in 1 page/);
  });

  test('an unknown table is DynamoTableNotFound (404) for every command', async () => {
    const calls = [
      callAws(proxy.url, 'AddDynamoItem', { table_name: 'missing', item_data: { id: 'x' } }),
      callAws(proxy.url, 'QueryDynamoTable', { table_name: 'missing', partition_key: 'x' }),
      callAws(proxy.url, 'ScanDynamoTable', { table_name: 'missing' }),
    ];
    for (const answer of await Promise.all(calls)) {
      assert.equal(answer.status, 200);
      assert.equal(answer.envelope.error?.error_code, 'DynamoTableNotFound');
      assert.equal(answer.envelope.command_response.http_status, 404);
      assert.match(answer.envelope.error?.message ?? '', /"missing"/);
    }
  });

  test('an item DynamoDB rejects is DynamoValidationError (400)', async () => {
    const answer = await callAws(proxy.url, 'AddDynamoItem', { table_name: 'orders', item_data: { customer: 'ada' } });
    assert.equal(answer.envelope.error?.error_code, 'DynamoValidationError');
    assert.equal(answer.envelope.command_response.http_status, 400);
  });

  test('item_data that is not an object, or holds an inexact integer, is a 400 naming item_data', async () => {
    for (const item_data of [[1, 2], 'not json', 42, { customer: 'ada', order_id: 'big', n: 2 ** 60 }]) {
      const answer = await callAws(proxy.url, 'AddDynamoItem', { table_name: 'orders', item_data });
      assert.equal(answer.status, 400, JSON.stringify(item_data));
      assert.equal(answer.envelope.error?.error_code, 'invalid_parameters');
      assert.match(answer.envelope.error?.message ?? '', /item_data/);
    }
  });

  test('a sort key for a table without one is a 400 naming sort_key', async () => {
    const answer = await callAws(proxy.url, 'QueryDynamoTable', { table_name: 'documents', partition_key: 'a', sort_key: 'b' });
    assert.equal(answer.status, 400);
    assert.match(answer.envelope.error?.message ?? '', /sort_key/);
  });

  test('an endpoint where nothing listens is AwsUnreachable (502), one that never answers AwsTimeout (504)', async () => {
    const silent = await startSilentServer();
    const unreachable = await startProxy({ connectors: [aws], env: { ...TEST_CREDENTIALS, AWS_ENDPOINT_URL_DYNAMODB: await unusedUrl() }, logStream: logs });
    const hanging = await startProxy({
      connectors: [aws],
      env: { ...TEST_CREDENTIALS, AWS_ENDPOINT_URL: silent.url, CONNECTOR_PROXY_HTTP_TIMEOUT_MS: '150' },
      logStream: logs,
    });
    try {
      const refused = await callAws(unreachable.url, 'ScanDynamoTable', { table_name: 'orders' });
      assert.equal(refused.status, 200);
      assert.equal(refused.envelope.error?.error_code, 'AwsUnreachable');
      assert.equal(refused.envelope.command_response.http_status, 502);
      assert.doesNotMatch(refused.envelope.error?.message ?? '', /S3RVER/);

      const timedOut = await callAws(hanging.url, 'QueryDynamoTable', { table_name: 'orders', partition_key: 'ada' });
      assert.equal(timedOut.envelope.error?.error_code, 'AwsTimeout');
      assert.equal(timedOut.envelope.command_response.http_status, 504);
    } finally {
      await Promise.all([unreachable.close(), hanging.close()]);
      await silent.close();
    }
  });

  test('an https: endpoint on a plain-HTTP port (a failed TLS handshake) is AwsUnreachable (502)', async () => {
    const endpoint = dynamodb.url.replace(/^http:/, 'https:');
    const mistaken = await startProxy({ connectors: [aws], env: { ...TEST_CREDENTIALS, AWS_ENDPOINT_URL_DYNAMODB: endpoint }, logStream: logs });
    try {
      const answer = await callAws(mistaken.url, 'ScanDynamoTable', { table_name: 'orders' });
      assert.equal(answer.envelope.error?.error_code, 'AwsUnreachable', JSON.stringify(answer.envelope));
      assert.equal(answer.envelope.command_response.http_status, 502);
    } finally {
      await mistaken.close();
    }
  });

  test('no credentials anywhere is AwsAccessDenied (403), found before anything is sent', async () => {
    const keyless = await startProxy({ connectors: [aws], env: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url }, logStream: logs });
    try {
      const answer = await callAws(keyless.url, 'ScanDynamoTable', { table_name: 'orders' });
      assert.equal(answer.envelope.error?.error_code, 'AwsAccessDenied');
      assert.equal(answer.envelope.command_response.http_status, 403);
    } finally {
      await keyless.close();
    }
  });

  test('an endpoint that is not a URL, or half a key pair, stops the start naming the variable', async () => {
    await assert.rejects(
      startProxy({ connectors: [aws], env: { ...TEST_CREDENTIALS, AWS_ENDPOINT_URL_DYNAMODB: 'localhost:8000' }, logStream: logs }),
      /AWS_ENDPOINT_URL_DYNAMODB must be an http\(s\) URL/,
    );
    await assert.rejects(
      startProxy({ connectors: [aws], env: { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'only-half' }, logStream: logs }),
      /AWS_SECRET_ACCESS_KEY must be set/,
    );
  });
});
