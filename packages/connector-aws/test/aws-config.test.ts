import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AwsClients } from '../src/aws-clients.js';
import { AwsConfig } from '../src/aws-config.js';

/** Stands in for the SDK's clients: only `destroy` is called on them outside the commands. */
function fakeClients(): { clients: AwsClients; destroyed: string[] } {
  const destroyed: string[] = [];
  const client = (name: string) => ({ destroy: () => void destroyed.push(name) });
  return { clients: { dynamoClient: client('dynamodb'), s3: client('s3') } as unknown as AwsClients, destroyed };
}

describe('AwsConfig', () => {
  test('makes the clients once, on the first call, for concurrent calls too', async () => {
    const { clients } = fakeClients();
    let loads = 0;
    const config = new AwsConfig(async () => {
      loads += 1;
      return clients;
    });
    assert.equal(loads, 0, 'nothing is loaded at setup');
    const [first, second] = await Promise.all([config.clients(), config.clients()]);
    assert.equal(await config.clients(), clients);
    assert.equal(first, second);
    assert.equal(loads, 1);
  });

  test('a failed load is not kept: the next call tries again', async () => {
    const { clients } = fakeClients();
    let loads = 0;
    const config = new AwsConfig(async () => {
      loads += 1;
      if (loads === 1) throw new Error('cannot load the SDK');
      return clients;
    });
    await assert.rejects(config.clients(), /cannot load the SDK/);
    assert.equal(await config.clients(), clients);
    assert.equal(loads, 2);
  });

  test('close destroys the clients only if a call made them', async () => {
    let loads = 0;
    const unused = new AwsConfig(async () => {
      loads += 1;
      return fakeClients().clients;
    });
    await unused.close();
    assert.equal(loads, 0, 'closing does not load the SDK');

    const failed = new AwsConfig(() => Promise.reject(new Error('cannot load the SDK')));
    await assert.rejects(failed.clients());
    await failed.close();

    const { clients, destroyed } = fakeClients();
    const used = new AwsConfig(async () => clients);
    await used.clients();
    await used.close();
    assert.deepEqual(destroyed.sort(), ['dynamodb', 's3']);
  });
});
