/** The jobs view: recent background jobs (`GET /v1/jobs`) with their state, runs and delivery attempts. */
import { callProxy, errorOf } from './api-client.js';
import { fill, h } from './dom.js';

const STATES = ['accepted', 'running', 'delivering', 'delivered', 'failed'];

interface JobStatus {
  id: string;
  command: string;
  state: string;
  runs: number;
  delivery_attempts: number;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export function buildJobsView(container: HTMLElement): { refresh(): Promise<void> } {
  const state = h('select', { id: 'jobs-state', 'aria-label': 'State' }, h('option', { value: '' }, 'every state'), ...STATES.map((name) => h('option', { value: name }, name)));
  const limit = h('input', { id: 'jobs-limit', type: 'number', min: '1', max: '100', value: '20', 'aria-label': 'How many' });
  const refreshButton = h('button', { type: 'submit', class: 'primary' }, 'Refresh');
  const result = h('div', { id: 'jobs-result' });
  const controls = h('form', { class: 'jobs-controls' }, h('h2', {}, 'Background jobs'), h('label', {}, 'State ', state), h('label', {}, 'At most ', limit), refreshButton);
  fill(container, controls, h('p', { class: 'hint' }, 'Newest first. A job shows its progress only: never its parameters or result.'), result);

  async function refresh(): Promise<void> {
    const query = new URLSearchParams({ limit: limit.value || '20' });
    if (state.value !== '') query.set('state', state.value);
    fill(result, h('p', { class: 'hint' }, 'Loading…'));
    const answer = await callProxy('GET', `/v1/jobs?${query}`);
    const jobs = (answer.json as { jobs?: JobStatus[] } | undefined)?.jobs;
    if (answer.status !== 200 || jobs === undefined) {
      const error = errorOf(answer.json);
      fill(result, h('div', { class: 'error-box' }, h('strong', {}, `${answer.status} ${answer.statusText}`), ' ', error ? `${error.message} (${error.code})` : answer.text));
      return;
    }
    fill(result, jobs.length === 0 ? h('p', { class: 'hint' }, 'No jobs.') : jobTable(jobs));
  }
  controls.addEventListener('submit', (event) => {
    event.preventDefault();
    void refresh();
  });
  return { refresh };
}

function jobTable(jobs: readonly JobStatus[]): HTMLElement {
  const headings = ['job', 'command', 'state', 'runs', 'deliveries', 'last error', 'created', 'updated'];
  return h(
    'table',
    { class: 'jobs' },
    h('thead', {}, h('tr', {}, ...headings.map((heading) => h('th', {}, heading)))),
    h(
      'tbody',
      {},
      ...jobs.map((job) =>
        h(
          'tr',
          {},
          h('td', { class: 'mono', title: job.id }, job.id.slice(0, 8)),
          h('td', { class: 'mono' }, job.command),
          h('td', {}, h('span', { class: `state state-${job.state}` }, job.state)),
          h('td', { class: 'number' }, job.runs),
          h('td', { class: 'number' }, job.delivery_attempts),
          h('td', { class: 'last-error' }, job.last_error ?? '—'),
          h('td', { class: 'time' }, shortTime(job.created_at)),
          h('td', { class: 'time' }, shortTime(job.updated_at)),
        ),
      ),
    ),
  );
}

function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}
