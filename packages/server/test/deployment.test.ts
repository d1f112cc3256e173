/**
 * The deployment files as Docker would read them. No Docker engine runs in these tests: the
 * compose file is parsed as YAML and checked for what an operator relies on, and its health
 * check command is run, as the container would run it, against a real proxy.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { startProxy } from '@connector-proxy/server';
import { LogCapture } from './fixtures/proxy-client.js';
import { testConnector } from './fixtures/test-connector.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

interface ComposeService {
  environment: Record<string, string | number>;
  volumes: string[];
  healthcheck: { test: string[]; start_period: string; interval: string; timeout: string };
}

const compose = parse(readFileSync(`${REPO}docker-compose.yml`, 'utf8')) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
const service = compose.services['connector-proxy'] as ComposeService;
const dockerfile = readFileSync(`${REPO}Dockerfile`, 'utf8');

/** Runs a health check's `node -e` script with PORT set; resolves to its exit code. */
async function healthCheckExit(command: readonly string[], port: number): Promise<number | null> {
  const [program, ...args] = command;
  assert.equal(program, 'node');
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', PORT: String(port) }, stdio: 'ignore' });
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return code;
}

describe('docker-compose.yml', () => {
  test('keeps the data folder in a named volume, where the proxy writes its jobs', () => {
    const dataDir = String(service.environment.CONNECTOR_PROXY_DATA_DIR);
    const mount = service.volumes.find((volume) => volume.endsWith(`:${dataDir}`));
    assert.ok(mount, `a volume mounted at ${dataDir}`);
    const name = mount.split(':')[0] as string;
    assert.ok(Object.hasOwn(compose.volumes, name), `${name} is a named volume`);
    assert.match(dockerfile, new RegExp(`CONNECTOR_PROXY_DATA_DIR=${dataDir}\\b`), 'the image uses the same folder');
  });

  test('takes the API key from the environment and refuses to start without it', () => {
    assert.match(String(service.environment.CONNECTOR_PROXY_API_KEY), /^\$\{CONNECTOR_PROXY_API_KEY:\?[^}]+\}$/);
  });

  test('checks health with /readyz after a start period, and the check tells ready from down', async () => {
    const { test: command, start_period: startPeriod } = service.healthcheck;
    assert.match(startPeriod, /^\d+s$/);
    assert.equal(command[0], 'CMD');
    assert.match(command.join(' '), /\/readyz/);
    const proxy = await startProxy({ connectors: [testConnector], logStream: new LogCapture() });
    const port = Number(new URL(proxy.url).port);
    try {
      assert.equal(await healthCheckExit(command.slice(1), port), 0, 'healthy while serving');
    } finally {
      await proxy.close();
    }
    assert.equal(await healthCheckExit(command.slice(1), port), 1, 'unhealthy once stopped');
  });
});

describe('Dockerfile', () => {
  test('carries README.md and docs/, which --help and the README point to', () => {
    assert.match(dockerfile, /^COPY README\.md \.\/$/m);
    assert.match(dockerfile, /^COPY docs \.\/docs$/m);
    assert.ok(existsSync(`${REPO}README.md`) && existsSync(`${REPO}docs`));
    const ignored = existsSync(`${REPO}.dockerignore`) ? readFileSync(`${REPO}.dockerignore`, 'utf8').split('\n') : [];
    assert.ok(!ignored.some((line) => /^(README\.md|docs|\*\.md)$/.test(line.trim())), '.dockerignore keeps them in the build context');
  });

  test('has a health check with a start period', () => {
    assert.match(dockerfile, /^HEALTHCHECK .*--start-period=\d+s .*CMD /m);
  });
});

describe('launchers', () => {
  /** The `#!` line's command after `env -S`: `MALLOC_TRIM_THRESHOLD_=… node <flags>`. */
  const hashBang = (file: string): string => (readFileSync(`${REPO}${file}`, 'utf8').split('\n')[0] ?? '').replace(/^#!\/usr\/bin\/env -S /, '');
  const cliLine = hashBang('packages/server/src/cli.ts');
  const [, malloc, flags] = /^(MALLOC_TRIM_THRESHOLD_=\d+) node ((?:--[\w-]+(?:=\S+)? ?)+)$/.exec(cliLine) ?? [];

  test('cli.ts names the malloc setting and the V8 flags', () => {
    assert.ok(malloc !== undefined && flags !== undefined, `cli.ts's #! line reads ${JSON.stringify(cliLine)}`);
    assert.match(flags, /--max-semi-space-size=4/);
    assert.match(flags, /--lazy-new-space-shrinking/);
  });

  // The memory figures in README.md hold for the proxy as each of these starts it.
  test('the bin, the bundle, npm start and the Dockerfile run node as cli.ts does', () => {
    assert.equal(hashBang('packages/server/bin/connector-proxy.js'), cliLine);
    assert.equal(hashBang('packages/server/dist/connector-proxy.mjs'), cliLine, 'the bundle keeps cli.ts\'s #! line (npm test builds it first)');
    const scripts = (JSON.parse(readFileSync(`${REPO}package.json`, 'utf8')) as { scripts: Record<string, string> }).scripts;
    assert.ok(scripts.start?.includes(`${malloc} exec node ${flags?.trim()} packages/server/dist/connector-proxy.mjs`), scripts.start);
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    assert.deepEqual(cmd, ['node', ...(flags ?? '').trim().split(' '), 'packages/server/dist/connector-proxy.mjs']);
    assert.match(dockerfile, new RegExp(`^ENV .*\\b${malloc}\\b`, 'm'));
  });
});
