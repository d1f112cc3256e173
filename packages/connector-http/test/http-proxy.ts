/** A proxy serving only the http connector, and a way to call its commands over HTTP. */
import { startProxy, type RunningProxy } from '@connector-proxy/server';
import { callCommand as callProxyCommand, LogCapture, type CommandAnswer } from '@connector-proxy/server/testing';
import http from '@connector-proxy/connector-http';

export { LogCapture, type CommandAnswer };

export async function startHttpProxy(env: Record<string, string> = {}, logs = new LogCapture()): Promise<RunningProxy> {
  return startProxy({ connectors: [http], env, logStream: logs });
}

/** `POST /v1/do/http/{command}` with `body` as JSON. */
export function callCommand(proxy: RunningProxy, command: string, body: Record<string, unknown>): Promise<CommandAnswer> {
  return callProxyCommand(proxy.url, `http/${command}`, body);
}
