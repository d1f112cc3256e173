/**
 * nginx from Debian's packages, when installed: the upstream the proxy calls and, for
 * comparison, a plain `proxy_pass` to that same upstream. Each is its own nginx with one worker
 * process (the proxy under test is one process too), configured and run under a temporary folder.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findExecutable, stopProcess } from './child-process.js';
import type { Documents } from './documents.js';
import { waitForPort } from './ports.js';

export interface NginxBinary {
  readonly file: string;
  /** As `nginx -v` says it, e.g. `nginx/1.22.1`. */
  readonly version: string;
}

export interface RunningNginx {
  readonly port: number;
  /** The master process: its workers are its children. */
  readonly pid: number;
  stop(): Promise<void>;
}

export function findNginx(): NginxBinary | undefined {
  const file = findExecutable('nginx');
  if (file === undefined) return undefined;
  const said = spawnSync(file, ['-v'], { encoding: 'utf8' });
  return { file, version: /nginx\/[\d.]+/.exec(`${said.stderr}${said.stdout}`)?.[0] ?? 'nginx (version unknown)' };
}

/**
 * Serves the documents from files, and `POST /echo` answering with the request body. Core nginx
 * has no echo directive: the body is read by a `proxy_pass` (which sends no body) to a location
 * answering 404, whose error page is a named location that returns `$request_body`.
 */
export function startNginxUpstream(nginx: NginxBinary, folder: string, documents: Documents, port: number): Promise<RunningNginx> {
  const html = path.join(folder, 'html');
  mkdirSync(html, { recursive: true, mode: 0o755 });
  writeFileSync(path.join(html, 'small.json'), documents.small, { mode: 0o644 });
  writeFileSync(path.join(html, 'large.json'), documents.large, { mode: 0o644 });
  writeFileSync(path.join(html, 'text.txt'), documents.text, { mode: 0o644 });
  return startNginx(nginx, folder, port, `
  upstream self {
    server 127.0.0.1:${port};
    keepalive 16;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${port};
    root ${html};
    types { application/json json; text/plain txt; }
    client_body_buffer_size 64k;
    client_body_in_single_buffer on;
    location = /echo {
      proxy_pass http://self/echo-body-read;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_intercept_errors on;
      error_page 404 = @echo;
    }
    location = /echo-body-read { return 404; }
    location @echo {
      default_type application/json;
      return 200 $request_body;
    }
  }`);
}

/** `proxy_pass` to the upstream as one would deploy it: HTTP/1.1, kept-alive upstream connections, answers buffered in memory. */
export function startNginxProxy(nginx: NginxBinary, folder: string, upstreamPort: number, port: number): Promise<RunningNginx> {
  return startNginx(nginx, folder, port, `
  upstream backend {
    server 127.0.0.1:${upstreamPort};
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${port};
    client_body_buffer_size 64k;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffers 64 4k;
    }
  }`);
}

async function startNginx(nginx: NginxBinary, folder: string, port: number, servers: string): Promise<RunningNginx> {
  mkdirSync(folder, { recursive: true, mode: 0o755 });
  const file = path.join(folder, 'nginx.conf');
  writeFileSync(file, mainConfig(folder, servers));
  const errorLog = path.join(folder, 'error.log');
  const child = spawn(nginx.file, ['-p', folder, '-c', file, '-e', errorLog], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await waitForPort(port, 5_000, () => (child.exitCode === null ? undefined : `nginx exited at start: ${stderr}`));
  return { port, pid: child.pid ?? 0, stop: () => stopNginx(child) };
}

// Temporary paths live in the run's folder: nothing is written under /var, and a run as root
// still works (nginx gives those folders to its worker user itself).
function mainConfig(folder: string, servers: string): string {
  const temp = (name: string): string => path.join(folder, name);
  return `worker_processes 1;
daemon off;
pid ${temp('nginx.pid')};
error_log ${temp('error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/octet-stream;
  keepalive_timeout 75s;
  keepalive_requests 1000000;
  client_body_temp_path ${temp('client_body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
${servers}
}
`;
}

async function stopNginx(child: ChildProcess): Promise<void> {
  // SIGTERM is nginx's fast shutdown: the bench has nothing left in flight by then.
  await stopProcess(child, 'SIGTERM', 5_000);
}
