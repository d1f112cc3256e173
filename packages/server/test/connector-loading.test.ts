import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { BUILT_IN_CONNECTORS, createProxy } from '@connector-proxy/server';

const SLOW_CONNECTOR = fileURLToPath(new URL('./fixtures/slow-connector.mjs', import.meta.url));
const NOT_A_CONNECTOR = fileURLToPath(new URL('./fixtures/not-a-connector.mjs', import.meta.url));
const QUIET = { CONNECTOR_PROXY_LOG_LEVEL: 'silent' };

/** The command ids a proxy made from `env` offers. */
async function commandIds(env: Record<string, string>): Promise<string[]> {
  const proxy = await createProxy({ env: { ...QUIET, ...env } });
  try {
    const response = await proxy.app.inject({ method: 'GET', url: '/v1/commands' });
    return (response.json() as Array<{ id: string }>).map((command) => command.id);
  } finally {
    await proxy.close();
  }
}

describe('loading connectors', () => {
  test('every built-in connector is served by default', async () => {
    const ids = await commandIds({});
    assert.equal(BUILT_IN_CONNECTORS.length, 6);
    for (const prefix of ['http/', 'smtp/', 'slack/', 'aws/', 'postgres/', 'postgres_v2/']) {
      assert.ok(ids.some((id) => id.startsWith(prefix)), `${prefix} commands are listed`);
    }
  });

  test('CONNECTOR_PROXY_DISABLED_CONNECTORS leaves built-ins out', async () => {
    const ids = await commandIds({ CONNECTOR_PROXY_DISABLED_CONNECTORS: 'slack, aws' });
    assert.ok(!ids.some((id) => id.startsWith('slack/') || id.startsWith('aws/')));
    assert.ok(ids.includes('http/GetRequest'));
  });

  test('postgres_v2 is served from connector-postgres-v2, and can be disabled alone', async () => {
    const ids = await commandIds({});
    for (const command of ['CreateTableV2', 'InsertValuesV2', 'SelectValuesV2', 'UpdateValuesV2', 'DeleteValuesV2', 'DropTableV2', 'DoSQL']) {
      assert.ok(ids.includes(`postgres_v2/${command}`), `postgres_v2/${command} is listed`);
    }
    const without = await commandIds({ CONNECTOR_PROXY_DISABLED_CONNECTORS: 'postgres_v2' });
    assert.ok(!without.some((id) => id.startsWith('postgres_v2/')));
    assert.ok(without.includes('postgres/DoSQL'), 'disabling postgres_v2 leaves postgres');
  });

  test('disabling a connector that is not built in stops the start, naming the variable', async () => {
    await assert.rejects(createProxy({ env: { ...QUIET, CONNECTOR_PROXY_DISABLED_CONNECTORS: 'htp' } }), /CONNECTOR_PROXY_DISABLED_CONNECTORS names "htp", which is not a built-in connector/);
  });

  test('CONNECTOR_PROXY_CONNECTORS adds modules by file path', async () => {
    const ids = await commandIds({ CONNECTOR_PROXY_CONNECTORS: SLOW_CONNECTOR });
    assert.ok(ids.includes('slow/Sleep'));
    assert.ok(ids.includes('http/GetRequest'));
  });

  test('two commands with one id stop the start with a message naming the modules', async () => {
    await assert.rejects(
      createProxy({ env: { ...QUIET, CONNECTOR_PROXY_CONNECTORS: `${SLOW_CONNECTOR},${SLOW_CONNECTOR}` } }),
      (error: Error) => {
        assert.match(error.message, /two commands with the id slow\/Sleep/);
        assert.ok(error.message.includes(SLOW_CONNECTOR), 'the module is named');
        return true;
      },
    );
  });

  test('a module that is not a connector stops the start, naming it', async () => {
    await assert.rejects(createProxy({ env: { ...QUIET, CONNECTOR_PROXY_CONNECTORS: NOT_A_CONNECTOR } }), /not-a-connector\.mjs, whose default export is not a connector/);
  });
});
