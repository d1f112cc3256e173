/**
 * The command explorer: every command of this proxy, read from `/openapi.json`, with a form to
 * run it and the envelope it answered; and the recent background jobs. Plain DOM, no framework:
 * the page is static and small, and works on a closed network.
 */
import { callProxy, errorOf, storedKey, storeKey, type ApiAnswer } from './api-client.js';
import { byId, fill, h, type Child } from './dom.js';
import { buildJobsView } from './jobs-view.js';
import { buildSchemaForm, contextField, section, type ObjectSchema, type PropertySchema } from './schema-form.js';

/** A command as the page shows it, read from its OpenAPI operation. */
interface CommandEntry {
  id: string;
  connector: string;
  summary: string;
  notes: string;
  asynchronous: string;
  errorCodes: string[];
  parameters: ObjectSchema;
}

interface OpenApiDocument {
  tags?: Array<{ name: string; description?: string }>;
  paths: Record<string, { post?: Record<string, unknown> }>;
  components: { schemas: Record<string, ObjectSchema> };
}

let commands: CommandEntry[] = [];
let connectorNotes = new Map<string, string>();
let spiffContext: ObjectSchema = {};
/** The command whose form is on screen: kept as it is (with what was typed) when the key changes. */
let shownCommand: string | undefined;

const banner = byId<HTMLDivElement>('banner');
const list = byId<HTMLElement>('command-list');
const detail = byId<HTMLElement>('command-detail');
const jobs = buildJobsView(byId('jobs-view'));

function showBanner(text: string): void {
  banner.textContent = text;
  banner.hidden = false;
}

/** What a refused call says, in one line: status, message, code. */
function refusal(answer: ApiAnswer): string {
  const error = errorOf(answer.json);
  if (answer.status === 0) return `The proxy did not answer: ${answer.text}`;
  return `${answer.status} ${answer.statusText}: ${error ? `${error.message} (${error.code})` : answer.text.slice(0, 200)}`;
}

async function loadCommands(): Promise<void> {
  const answer = await callProxy('GET', '/openapi.json');
  if (answer.status !== 200 || typeof answer.json !== 'object') {
    showBanner(`Could not read this proxy's commands. ${refusal(answer)}${answer.status === 401 ? ' Enter the API key above.' : ''}`);
    return;
  }
  banner.hidden = true;
  const document = answer.json as OpenApiDocument;
  connectorNotes = new Map((document.tags ?? []).map((tag) => [tag.name, tag.description ?? '']));
  spiffContext = document.components.schemas.SpiffContext ?? {};
  commands = Object.values(document.paths).flatMap((path) => (path.post ? [commandEntry(path.post)] : []));
  renderList();
  route();
}

function commandEntry(operation: Record<string, unknown>): CommandEntry {
  const body = operation.requestBody as { content: Record<string, { schema: { allOf: ObjectSchema[] } }> };
  const id = String(operation['x-command-id']);
  return {
    id,
    connector: id.split('/')[0] ?? '',
    summary: String(operation.summary ?? ''),
    notes: String(operation.description ?? ''),
    asynchronous: String(operation['x-asynchronous'] ?? 'never'),
    errorCodes: (operation['x-error-codes'] as string[] | undefined) ?? [],
    parameters: body.content['application/json']?.schema.allOf[0] ?? {},
  };
}

function renderList(): void {
  const filter = h('input', { type: 'search', id: 'command-filter', placeholder: 'Filter commands', 'aria-label': 'Filter commands' });
  const groups = h('div', { class: 'groups' });
  const draw = (): void => {
    const wanted = filter.value.trim().toLowerCase();
    const shown = commands.filter((command) => command.id.toLowerCase().includes(wanted) || command.summary.toLowerCase().includes(wanted));
    const byConnector = Map.groupBy(shown, (command) => command.connector);
    fill(
      groups,
      ...[...byConnector].map(([connector, entries]) =>
        h(
          'div',
          { class: 'group' },
          h('h2', { title: connectorNotes.get(connector) ?? '' }, connector),
          connectorNotes.get(connector) ? h('p', { class: 'group-description' }, connectorNotes.get(connector)) : null,
          h('ul', {}, ...entries.map((command) => h('li', {}, h('a', { href: `#/command/${command.id}`, 'data-command': command.id, title: command.summary }, command.id.slice(connector.length + 1))))),
        ),
      ),
    );
    markCurrent();
  };
  filter.addEventListener('input', draw);
  fill(list, filter, groups);
  draw();
}

function markCurrent(): void {
  const current = currentCommandId();
  for (const link of list.querySelectorAll<HTMLAnchorElement>('a[data-command]')) link.classList.toggle('current', link.dataset.command === current);
}

function currentCommandId(): string | undefined {
  const match = /^#\/command\/(.+)$/.exec(location.hash);
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
}

function renderCommand(command: CommandEntry): void {
  const parameters = buildSchemaForm(command.parameters, [
    contextField('spiff__task_data', spiffProperty('spiff__task_data'), '{}'),
    contextField('spiff__callback_url', spiffProperty('spiff__callback_url')),
  ]);
  const result = h('div', { id: 'result', class: 'result', 'aria-live': 'polite' });
  const run = h('button', { type: 'submit', class: 'primary', id: 'run' }, 'Run');
  const form = h('form', { class: 'command-form', novalidate: true }, parameters.element, h('div', { class: 'actions' }, run, h('span', { class: 'hint' }, `POST /v1/do/${command.id}`)));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = parameters.values();
    if ('problems' in values) {
      fill(result, h('div', { class: 'error-box' }, h('strong', {}, 'Not sent: '), values.problems.join('; ')));
      return;
    }
    run.disabled = true;
    fill(result, h('p', { class: 'hint' }, 'Running…'));
    void callProxy('POST', `/v1/do/${command.id}`, values.body).then((answer) => {
      run.disabled = false;
      showAnswer(result, answer);
    });
  });
  fill(
    detail,
    h('h2', { class: 'command-id' }, command.id),
    command.summary !== command.id ? h('p', { class: 'summary' }, ...withCode(command.summary)) : null,
    h('p', { class: 'notes' }, ...withCode(command.notes)),
    command.errorCodes.length > 0
      ? h('div', { class: 'codes' }, h('span', { class: 'codes-label' }, 'Error codes'), ...command.errorCodes.map((code) => h('code', { class: 'chip' }, code)))
      : null,
    section('Parameters', form),
    section('Answer', result),
  );
}

function spiffProperty(name: string): PropertySchema {
  return spiffContext.properties?.[name] ?? {};
}

/** Status, duration, the error, the body, `spiff__logs` and the whole envelope, pretty-printed. */
function showAnswer(container: HTMLElement, answer: ApiAnswer): void {
  const envelope = answer.json as { command_response?: { body?: unknown; http_status?: number }; spiff__logs?: string[] } | undefined;
  const error = errorOf(answer.json);
  const outcome = answer.status >= 200 && answer.status < 300 && error === undefined ? 'ok' : 'failed';
  const httpStatus = envelope?.command_response?.http_status;
  const logs = envelope?.spiff__logs ?? [];
  fill(
    container,
    h(
      'div',
      { class: `status-line ${outcome}` },
      h('span', { class: 'status', id: 'answer-status' }, `${answer.status} ${answer.statusText}`),
      h('span', { class: 'duration' }, `${Math.round(answer.durationMs)} ms`),
      httpStatus === undefined ? null : h('span', { class: 'upstream' }, `third party answered ${httpStatus}`),
    ),
    error ? h('div', { class: 'error-box', id: 'answer-error' }, h('code', {}, error.code), ' ', error.message) : null,
    envelope?.command_response ? h('h4', {}, 'Body') : null,
    envelope?.command_response ? h('pre', { class: 'json', id: 'answer-body' }, pretty(envelope.command_response.body)) : null,
    h('h4', {}, 'spiff__logs'),
    logs.length > 0 ? h('pre', { class: 'logs', id: 'answer-logs' }, logs.join('\n')) : h('p', { class: 'hint' }, 'none'),
    h('h4', {}, 'Envelope'),
    h('pre', { class: 'json', id: 'answer-envelope' }, answer.json === undefined ? answer.text : pretty(answer.json)),
  );
}

/** Text whose `backticked` parts (Markdown, as OpenAPI descriptions are written) are shown as code. */
function withCode(text: string): Child[] {
  return text.split('`').map((part, index) => (index % 2 === 1 ? h('code', {}, part) : part));
}

function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'undefined';
}

/** Shows the view the address names: a command, the jobs, or the hint. */
function route(): void {
  const showJobs = location.hash === '#/jobs';
  byId('commands-view').hidden = showJobs;
  byId('jobs-view').hidden = !showJobs;
  byId('nav-commands').classList.toggle('current', !showJobs);
  byId('nav-jobs').classList.toggle('current', showJobs);
  if (showJobs) {
    void jobs.refresh();
    return;
  }
  const id = currentCommandId();
  const command = commands.find((entry) => entry.id === id);
  if (command && command.id !== shownCommand) renderCommand(command);
  else if (command === undefined && commands.length > 0) fill(detail, h('p', { class: 'hint' }, `Choose one of the ${commands.length} commands.`));
  shownCommand = command?.id;
  markCurrent();
}

const keyInput = byId<HTMLInputElement>('api-key');
keyInput.value = storedKey();
byId<HTMLFormElement>('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  storeKey(keyInput.value);
  void loadCommands();
});
window.addEventListener('hashchange', route);
void loadCommands();
