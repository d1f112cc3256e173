/**
 * A form built from a command's parameter schema (JSON Schema, from /openapi.json): a typed
 * input per parameter, a JSON editor for `any`, and the values read back with the JSON types
 * the command expects.
 */
import { h, type Child } from './dom.js';

/** The part of JSON Schema the form reads. */
export interface PropertySchema {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: PropertySchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  default?: unknown;
  format?: string;
}

export interface ObjectSchema {
  properties?: Record<string, PropertySchema>;
  required?: string[];
}

type FieldKind = 'string' | 'choice' | 'integer' | 'number' | 'boolean' | 'json';

/** One input and how to read it. */
interface Field {
  name: string;
  required: boolean;
  /** The value to send, `undefined` to leave the parameter out, or an error message. */
  read(): { value: unknown } | { error: string };
  element: HTMLElement;
}

export interface SchemaForm {
  element: HTMLElement;
  /** The body to send, or the problems to fix first (the inputs at fault are marked). */
  values(): { body: Record<string, unknown> } | { problems: string[] };
}

/** Names whose value is a secret: typed as passwords, so they are not shown on screen. */
const SECRET_NAME = /pass(word)?|secret|token|api_?key|credential/i;

export function buildSchemaForm(schema: ObjectSchema, extra: readonly Field[] = []): SchemaForm {
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([name, property]) => buildField(name, property, required.has(name)));
  const all = [...fields, ...extra];
  return {
    element: h('div', { class: 'fields' }, ...all.map((field) => field.element)),
    values() {
      const body: Record<string, unknown> = {};
      const problems: string[] = [];
      for (const field of all) {
        const result = field.read();
        field.element.classList.toggle('invalid', 'error' in result);
        if ('error' in result) problems.push(`${field.name}: ${result.error}`);
        else if (result.value !== undefined) body[field.name] = result.value;
      }
      return problems.length > 0 ? { problems } : { body };
    },
  };
}

/** A field for a key that is not a declared parameter (the engine's `spiff__*` context). */
export function contextField(name: string, property: PropertySchema, initial = ''): Field {
  return buildField(name, property, false, initial);
}

function kindOf(property: PropertySchema): FieldKind {
  if (choicesOf(property) !== undefined) return 'choice';
  const type = Array.isArray(property.type) ? undefined : property.type;
  if (type === 'string') return 'string';
  if (type === 'integer') return 'integer';
  if (type === 'number') return 'number';
  if (type === 'boolean') return 'boolean';
  return 'json';
}

/** The allowed values of a string enum (`enum`, or TypeBox's union of literals). */
function choicesOf(property: PropertySchema): string[] | undefined {
  if (Array.isArray(property.enum) && property.enum.every((value) => typeof value === 'string')) return property.enum as string[];
  const members = property.anyOf;
  if (members !== undefined && members.length > 0 && members.every((member) => typeof member.const === 'string')) return members.map((member) => member.const as string);
  return undefined;
}

function buildField(name: string, property: PropertySchema, required: boolean, initial = ''): Field {
  const kind = kindOf(property);
  const id = `field-${name}`;
  const input = inputFor(kind, id, name, property, required, initial);
  const message = h('div', { class: 'field-error', 'aria-live': 'polite' });
  const typeLabel: Record<FieldKind, string> = { string: 'str', choice: 'str', integer: 'int', number: 'number', boolean: 'bool', json: 'any (JSON)' };
  const element = h(
    'div',
    { class: `field field-${kind}` },
    h('label', { for: id }, h('span', { class: 'field-name' }, name), h('span', { class: 'field-type' }, typeLabel[kind]), required ? h('span', { class: 'field-required' }, 'required') : null),
    property.description ? h('p', { class: 'field-description' }, property.description) : null,
    input,
    message,
  );
  if (kind === 'json') input.addEventListener('input', () => showJsonProblem(input as HTMLTextAreaElement, message, element));
  return {
    name,
    required,
    element,
    read() {
      const result = readValue(kind, input, required);
      message.textContent = 'error' in result ? result.error : '';
      return result;
    },
  };
}

function inputFor(kind: FieldKind, id: string, name: string, property: PropertySchema, required: boolean, initial: string): HTMLElement {
  const common = { id, name, 'data-parameter': name };
  switch (kind) {
    case 'choice': {
      const choices = choicesOf(property) ?? [];
      return h('select', common, required ? null : h('option', { value: '' }, '(not sent)'), ...choices.map((choice) => h('option', { value: choice }, choice)));
    }
    case 'boolean':
      return h('select', common, h('option', { value: '' }, '(not sent)'), h('option', { value: 'true' }, 'true'), h('option', { value: 'false' }, 'false'));
    case 'integer':
    case 'number':
      return h('input', {
        ...common,
        type: 'number',
        step: kind === 'integer' ? '1' : 'any',
        min: property.minimum === undefined ? undefined : String(property.minimum),
        max: property.maximum === undefined ? undefined : String(property.maximum),
        value: initial,
      });
    case 'string':
      return h('input', { ...common, type: SECRET_NAME.test(name) ? 'password' : 'text', value: initial, autocomplete: 'off', spellcheck: 'false' });
    case 'json': {
      const area = h('textarea', { ...common, rows: '3', spellcheck: 'false', placeholder: 'JSON, e.g. {"key": "value"}' });
      area.value = initial;
      return area;
    }
  }
}

function readValue(kind: FieldKind, input: HTMLElement, required: boolean): { value: unknown } | { error: string } {
  const text = (input as HTMLInputElement).value;
  if (text.trim() === '') return required ? { error: 'required' } : { value: undefined };
  switch (kind) {
    case 'integer':
    case 'number': {
      const value = Number(text);
      if (!Number.isFinite(value) || (kind === 'integer' && !Number.isInteger(value))) return { error: `not ${kind === 'integer' ? 'a whole number' : 'a number'}` };
      return { value };
    }
    case 'boolean':
      return { value: text === 'true' };
    case 'json':
      return parseJsonField(text);
    default:
      return { value: text };
  }
}

function parseJsonField(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { error: `not valid JSON (${(error as Error).message})` };
  }
}

function showJsonProblem(area: HTMLTextAreaElement, message: HTMLElement, field: HTMLElement): void {
  const result = area.value.trim() === '' ? { value: undefined } : parseJsonField(area.value);
  message.textContent = 'error' in result ? result.error : '';
  field.classList.toggle('invalid', 'error' in result);
}

/** A small labelled section. */
export function section(title: string, ...children: Child[]): HTMLElement {
  return h('section', { class: 'panel' }, h('h3', {}, title), ...children);
}
