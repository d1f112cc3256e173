import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { describe, test } from 'node:test';
import { isCommandError, type EgressPolicy } from '@connector-proxy/sdk';
import { startProxy } from '@connector-proxy/server';
import { createEgressPolicy, type AddressResolver } from '../src/egress-policy.js';

interface Refusal {
  host: string;
  reason: string;
}

/** A policy from ALLOW/DENY lists, and the refusals it reported (what the proxy logs). */
function policy(allow: string[] | undefined, deny: string[] = []): { egress: EgressPolicy; refusals: Refusal[] } {
  const refusals: Refusal[] = [];
  const egress = createEgressPolicy(allow, deny, (host, reason) => refusals.push({ host, reason }));
  return { egress, refusals };
}

/**
 * A policy whose lookups resolve names from `records` instead of the system's resolver: the seam
 * through which a test chooses a name's addresses (the machine's /etc/hosts and DNS are not ours).
 */
function policyResolving(allow: string[] | undefined, deny: string[], records: Record<string, LookupAddress[]>): { egress: EgressPolicy; refusals: Refusal[] } {
  const refusals: Refusal[] = [];
  const resolve: AddressResolver = (hostname, _options, callback) => {
    const addresses = records[hostname];
    if (addresses === undefined) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    setImmediate(() => callback(null, addresses));
  };
  const egress = createEgressPolicy(allow, deny, (host, reason) => refusals.push({ host, reason }), resolve);
  return { egress, refusals };
}

/** Asserts `host` is refused with the envelope error the workflow sees: EgressDenied, http_status 403. */
function assertDenied(egress: EgressPolicy, host: string): void {
  assert.throws(
    () => egress.assertHostAllowed(host),
    (error: unknown) => isCommandError(error) && error.code === 'EgressDenied' && error.httpStatus === 403 && error.status === 200,
    `${host} should be denied`,
  );
}

function assertAllowed(egress: EgressPolicy, host: string): void {
  assert.doesNotThrow(() => egress.assertHostAllowed(host), `${host} should be allowed`);
}

/** Runs the policy's lookup as a socket would, with `all: true` (what net does with autoSelectFamily). */
function lookup(egress: EgressPolicy, host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    egress.lookup(host, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses as unknown as LookupAddress[])));
  });
}

describe('createEgressPolicy', () => {
  test('with no lists, everything but cloud metadata endpoints is allowed', () => {
    const { egress } = policy(undefined);
    for (const host of ['api.example.com', '10.0.0.1', '127.0.0.1', '[::1]', '[2001:db8::1]']) assertAllowed(egress, host);
  });

  test('metadata endpoints are denied by default: 169.254.0.0/16, fd00:ec2::254, metadata.google.internal', () => {
    const { egress, refusals } = policy(undefined);
    for (const host of ['169.254.169.254', '169.254.0.1', '[fd00:ec2::254]', 'metadata.google.internal', 'METADATA.google.internal.']) {
      assertDenied(egress, host);
    }
    assert.equal(refusals.length, 5, 'every refusal is reported for the log');
    assert.deepEqual(refusals[0], { host: '169.254.169.254', reason: 'a denied address' });
  });

  test('an allow list cannot open the metadata endpoints: the deny list wins', () => {
    const { egress } = policy(['169.254.169.254', 'metadata.google.internal', '0.0.0.0/0']);
    assertDenied(egress, '169.254.169.254');
    assertDenied(egress, 'metadata.google.internal');
  });

  test('IPv4-mapped IPv6 addresses reach the IPv4 host, so they are checked as it', () => {
    const { egress } = policy(undefined, ['10.0.0.0/8']);
    // The URL parser writes [::ffff:169.254.169.254] as [::ffff:a9fe:a9fe]: both forms are denied.
    for (const host of ['[::ffff:169.254.169.254]', new URL('http://[::ffff:169.254.169.254]/').hostname, '::ffff:10.1.2.3']) {
      assertDenied(egress, host);
    }
    assertAllowed(egress, '[::ffff:11.1.2.3]');
  });

  test('the unspecified addresses reach this host: denied when loopback is denied, the documented deny list included', () => {
    const documented = policy(undefined, ['10.0.0.0/8', '192.168.0.0/16', '127.0.0.0/8']);
    // Every spelling the URL parser accepts: 0.0.0.0, 0, 0x0, [::ffff:0.0.0.0], [::], and the rest of 0.0.0.0/8.
    const spellings = ['0.0.0.0', new URL('http://0/').hostname, new URL('http://0x0/').hostname, new URL('http://[::ffff:0.0.0.0]/').hostname, '[::]', '[::0.0.0.0]', '0.1.2.3'];
    for (const host of spellings) assertDenied(documented.egress, host);
    assert.deepEqual(documented.refusals[0], { host: '0.0.0.0', reason: 'a denied address' });
    // Denying ::1 alone is enough too: a dual-stack server on :: answers both.
    const v6Loopback = policy(undefined, ['::1']);
    for (const host of ['0.0.0.0', '[::]']) assertDenied(v6Loopback.egress, host);
  });

  test('the unspecified addresses are allowed only where loopback is: by default, and on an allow list that has both', () => {
    for (const host of ['0.0.0.0', '[::]']) assertAllowed(policy(undefined).egress, host);
    const loopbackOnly = policy(['127.0.0.0/8', '::1']);
    for (const host of ['0.0.0.0', '[::]']) assertDenied(loopbackOnly.egress, host); // the unspecified address itself is not listed
    const everything = policy(['0.0.0.0/0', '::/0']);
    for (const host of ['0.0.0.0', '[::]']) assertAllowed(everything.egress, host);
    const withoutLoopback = policy(['0.0.0.0/8', '::/128']);
    for (const host of ['0.0.0.0', '[::]']) assertDenied(withoutLoopback.egress, host);
  });

  test('IPv6 forms that embed an IPv4 address are checked as that address too: NAT64, 6to4, IPv4-compatible, Teredo', () => {
    const { egress } = policy(undefined, ['10.0.0.0/8']);
    const metadataForms = [
      '[64:ff9b::a9fe:a9fe]', // NAT64, well-known prefix (RFC 6052)
      '[64:ff9b::169.254.169.254]',
      '[64:ff9b:1::a9fe:a9fe]', // NAT64, local-use prefix (RFC 8215)
      '[2002:a9fe:a9fe::1]', // 6to4 (RFC 3056)
      new URL('http://[::169.254.169.254]/').hostname, // IPv4-compatible, written [::a9fe:a9fe] by the URL parser
      '[2001:0:a9fe:a9fe::1]', // Teredo server
      '[2001:0:4136:e378:8000:63bf:5601:5601]', // Teredo client: 169.254.169.254 with its bits inverted
    ];
    for (const host of metadataForms) assertDenied(egress, host);
    for (const host of ['[64:ff9b::a01:203]', '[2002:a01:203::1]', '[::10.1.2.3]']) assertDenied(egress, host);
    for (const host of ['[64:ff9b::b01:203]', '[2002:b01:203::1]', '[2001:db8::a9fe:a9fe]', '[::1]']) assertAllowed(egress, host);
  });

  test('a callback or request URL naming the metadata address through NAT64 or 6to4 is refused', () => {
    const { egress } = policy(undefined);
    for (const url of ['http://[64:ff9b::a9fe:a9fe]/callback', 'http://[2002:a9fe:a9fe::1]:8080/callback', 'http://[::169.254.169.254]/']) {
      assertDenied(egress, new URL(url).hostname);
    }
  });

  test('hostnames on an allow list, exact and *.domain; everything else denied', () => {
    const { egress } = policy(['api.example.com', '*.corp.example']);
    assertAllowed(egress, 'api.example.com');
    assertAllowed(egress, 'API.Example.COM.');
    assertAllowed(egress, 'hr.corp.example');
    assertAllowed(egress, 'a.b.corp.example');
    assertDenied(egress, 'corp.example'); // *.domain means the names under it
    assertDenied(egress, 'evilcorp.example');
    assertDenied(egress, 'other.example.com');
    assertDenied(egress, '93.184.216.34'); // an address is not one of the allowed names
  });

  test('v4 and v6 addresses and CIDR ranges on an allow list', () => {
    const { egress } = policy(['10.1.0.0/16', '192.0.2.7', '2001:db8::/32', '::1']);
    assertAllowed(egress, '10.1.200.3');
    assertAllowed(egress, '192.0.2.7');
    assertAllowed(egress, '[2001:db8:ffff::1]');
    assertAllowed(egress, '[::1]');
    assertDenied(egress, '10.2.0.1');
    assertDenied(egress, '192.0.2.8');
    assertDenied(egress, '[2001:db9::1]');
  });

  test('the deny list wins over the allow list, for names and addresses', () => {
    const { egress } = policy(['*.example.com', '10.0.0.0/8'], ['secret.example.com', '10.0.0.5', 'fd00::/8']);
    assertAllowed(egress, 'api.example.com');
    assertDenied(egress, 'secret.example.com');
    assertAllowed(egress, '10.0.0.6');
    assertDenied(egress, '10.0.0.5');
    assertDenied(egress, '[fd12::1]');
  });

  test('an entry that is not a hostname, *.domain, address or CIDR range stops the start, naming the variable', () => {
    const cases: Array<[string[] | undefined, string[], RegExp]> = [
      [['not a host'], [], /CONNECTOR_PROXY_EGRESS_ALLOW has "not a host"/],
      [['*'], [], /CONNECTOR_PROXY_EGRESS_ALLOW/],
      [undefined, ['10.0.0.0/33'], /CONNECTOR_PROXY_EGRESS_DENY has "10.0.0.0\/33", which is not a valid CIDR range/],
      [undefined, ['2001:db8::/129'], /CONNECTOR_PROXY_EGRESS_DENY/],
      [undefined, ['example.com/8'], /CONNECTOR_PROXY_EGRESS_DENY/],
      [undefined, ['http://example.com'], /CONNECTOR_PROXY_EGRESS_DENY/],
    ];
    for (const [allow, deny, message] of cases) {
      assert.throws(() => policy(allow, deny), (error: unknown) => isCommandError(error) && error.code === 'invalid_configuration' && message.test(error.message));
    }
  });

  test('the proxy refuses to start with a bad entry in CONNECTOR_PROXY_EGRESS_ALLOW', async () => {
    await assert.rejects(startProxy({ connectors: [], env: { CONNECTOR_PROXY_EGRESS_ALLOW: 'ok.example, bad host' } }), /CONNECTOR_PROXY_EGRESS_ALLOW/);
  });

  describe('the lookup sockets use', () => {
    test('a name that resolves to a denied address is denied: localhost is 127.0.0.1, in 127.0.0.0/8', async () => {
      const { egress, refusals } = policy(undefined, ['127.0.0.0/8', '::1']);
      assertAllowed(egress, 'localhost'); // by name it is not denied: only the address tells
      await assert.rejects(lookup(egress, 'localhost'), (error: unknown) => isCommandError(error) && error.code === 'EgressDenied' && error.httpStatus === 403);
      assert.deepEqual(refusals, [{ host: 'localhost', reason: 'it resolves to a denied address' }]);
    });

    test('a name whose addresses are allowed resolves as dns.lookup does', async () => {
      const { egress } = policy(undefined);
      const addresses = await lookup(egress, 'localhost');
      assert.ok(addresses.some(({ address }) => address === '127.0.0.1' || address === '::1'), JSON.stringify(addresses));
      const single = await new Promise<[string, number]>((resolve, reject) => {
        egress.lookup('localhost', { family: 4 }, (error, address, family) => (error ? reject(error) : resolve([address as string, family as number])));
      });
      assert.deepEqual(single, ['127.0.0.1', 4]);
    });

    test('an allow list of ranges is settled by the resolved address', async () => {
      const { egress } = policy(['127.0.0.2/32']);
      assertAllowed(egress, 'localhost'); // could resolve into the range: the lookup decides
      await assert.rejects(lookup(egress, 'localhost'), (error: unknown) => isCommandError(error) && error.code === 'EgressDenied');
      const byName = policy(['localhost']);
      assert.ok((await lookup(byName.egress, 'localhost')).length > 0, 'a name on the allow list may resolve to any address not denied');
    });

    test('a name whose AAAA record embeds a denied IPv4 address is denied: NAT64, 6to4, IPv4-compatible', async () => {
      for (const address of ['64:ff9b::a9fe:a9fe', '2002:a9fe:a9fe::1', '::a9fe:a9fe', '::ffff:a9fe:a9fe']) {
        const { egress, refusals } = policyResolving(undefined, [], { 'six.example': [{ address, family: 6 }] });
        assertAllowed(egress, 'six.example');
        await assert.rejects(lookup(egress, 'six.example'), (error: unknown) => isCommandError(error) && error.code === 'EgressDenied', address);
        assert.deepEqual(refusals, [{ host: 'six.example', reason: 'it resolves to a denied address' }]);
      }
      const harmless = policyResolving(undefined, [], { 'six.example': [{ address: '64:ff9b::cb00:7101', family: 6 }] });
      assert.deepEqual(await lookup(harmless.egress, 'six.example'), [{ address: '64:ff9b::cb00:7101', family: 6 }]);
    });

    test('a name that resolves to an unspecified address is denied with loopback', async () => {
      for (const address of ['0.0.0.0', '::']) {
        const { egress } = policyResolving(undefined, ['127.0.0.0/8'], { 'zero.example': [{ address, family: isIP(address) }] });
        await assert.rejects(lookup(egress, 'zero.example'), (error: unknown) => isCommandError(error) && error.code === 'EgressDenied', address);
      }
    });

    test('a name that does not resolve fails as DNS does, not as a refusal', async () => {
      const { egress, refusals } = policy(undefined);
      await assert.rejects(lookup(egress, 'no-such-host.invalid'), (error: unknown) => !isCommandError(error) && /ENOTFOUND|EAI_AGAIN/.test(String((error as { code?: string }).code)));
      assert.equal(refusals.length, 0);
    });
  });
});
