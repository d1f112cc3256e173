import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { identifierName, parseConnectionString, quoteIdentifier, quoteTableName } from '@connector-proxy/connector-postgres';

/** Reading connection strings and names is pure: these run without a database. */
describe('database_connection_str', () => {
  test("libpq keyword form, with spaces around '=', quoted values and backslash escapes", () => {
    const target = parseConnectionString(String.raw`dbname=dev user = dev password='a b\'c\\d' host=db port=6543 sslmode=require`);
    assert.equal(target.host, 'db');
    assert.equal(target.port, 6543);
    assert.equal(target.database, 'dev');
    assert.equal(target.user, 'dev');
    assert.equal(target.password, String.raw`a b'c\d`);
    assert.deepEqual(target.ssl, { rejectUnauthorized: false });
  });

  test('an unquoted value takes a backslash-escaped space; an empty quoted value is empty', () => {
    const target = parseConnectionString(String.raw`user=me password=two\ words dbname='' options='-c search_path=app'`);
    assert.equal(target.password, 'two words');
    assert.equal(target.database, 'me', 'an empty dbname falls back to the user name, as in libpq');
    assert.equal(target.options, '-c search_path=app');
  });

  test('URI form, percent-decoded, with keywords in the query', () => {
    const target = parseConnectionString('postgresql://app%40corp:p%40ss%2Fw%3Ard@[::1]:5433/my%20db?application_name=flows&connect_timeout=3');
    assert.equal(target.user, 'app@corp');
    assert.equal(target.password, 'p@ss/w:rd');
    assert.equal(target.host, '::1');
    assert.equal(target.port, 5433);
    assert.equal(target.database, 'my db');
    assert.equal(target.application_name, 'flows');
    assert.equal(target.connectTimeoutMs, 3000);
    assert.equal(target.ssl, false);
  });

  test('defaults are explicit, so nothing comes from the proxy environment (PGHOST, PGPASSWORD...)', () => {
    const target = parseConnectionString('user=someone');
    assert.deepEqual(
      { host: target.host, port: target.port, database: target.database, password: target.password, application_name: target.application_name },
      { host: 'localhost', port: 5432, database: 'someone', password: undefined, application_name: 'connector-proxy' },
    );
  });

  test('sslmode maps onto TLS settings; allow and prefer connect without TLS', () => {
    const ssl = (mode: string) => parseConnectionString(`user=u sslmode=${mode}`).ssl;
    assert.equal(ssl('disable'), false);
    assert.equal(ssl('prefer'), false);
    assert.deepEqual(ssl('require'), { rejectUnauthorized: false });
    assert.deepEqual(ssl('verify-full'), { rejectUnauthorized: true });
    const verifyCa = ssl('verify-ca');
    assert.ok(verifyCa !== false && verifyCa.rejectUnauthorized === true && typeof verifyCa.checkServerIdentity === 'function');
  });
});

describe('table and column names', () => {
  test('unquoted names fold to lower case; quoted ones keep case; anything else is taken literally', () => {
    assert.equal(identifierName('Orders'), 'orders');
    assert.equal(identifierName('"Orders"'), 'Orders');
    assert.equal(identifierName('"a""b"'), 'a"b');
    assert.equal(identifierName('Ünïcödé_ABC'), 'Ünïcödé_abc', 'only ASCII letters fold');
    assert.equal(identifierName('Order Lines'), 'Order Lines');
    assert.equal(identifierName('x"; DROP TABLE y; --'), 'x"; DROP TABLE y; --');
  });

  test('quoting doubles inner quotes, so a name can never end its quotes early', () => {
    assert.equal(quoteIdentifier('x"; DROP TABLE y; --'), '"x""; DROP TABLE y; --"');
    assert.equal(quoteTableName('Sales.Orders'), '"sales"."orders"');
    assert.equal(quoteTableName('"my.schema"."My Table"'), '"my.schema"."My Table"');
    assert.equal(quoteTableName('a.b.c'), undefined);
    assert.equal(quoteTableName('.t'), undefined);
  });
});
