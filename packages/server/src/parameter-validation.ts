import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/value';
import { invalidParameters, parameterType, type ParameterProblem, type TObject, type TProperties, type TSchema } from '@connector-proxy/sdk';

/** Picks a command's parameters out of a call's body and checks them. Compiled once per command. */
export type ParameterValidator = (body: Record<string, unknown>) => Record<string, unknown>;

/**
 * Compiles a command's parameter schema. The validator keeps only declared parameters (so
 * `spiff__*` keys and strays never reach a command), treats JSON `null` as absent, and throws
 * one `invalid_parameters` error that names every bad parameter.
 *
 * Values that are wrong only in their JSON type ("25" for an int, 7 for a str, "true" for a bool)
 * are converted, as a form-built workflow often sends them so; nothing else is (2.5 stays a bad
 * int). The conversion runs only after the fast check fails, so well-typed calls never pay for it.
 */
export function compileParameters(schema: TObject<TProperties>): ParameterValidator {
  const check = TypeCompiler.Compile(schema);
  const names = Object.keys(schema.properties);
  const types = new Map(names.map((name) => [name, parameterType(schema.properties[name] as TSchema)]));
  return (body) => {
    const params: Record<string, unknown> = {};
    for (const name of names) {
      // Own keys only: a parameter named like an Object.prototype member must not inherit it.
      const value = Object.hasOwn(body, name) ? body[name] : undefined;
      if (value !== undefined && value !== null) params[name] = value;
    }
    if (check.Check(params)) return params;
    const converted = convertScalars(params, types);
    if (converted !== undefined && check.Check(converted)) return converted;
    // Problems are those left after conversion: "25" beside a bad value is not a problem.
    throw invalidParameters(describeProblems(check.Errors(converted ?? params), schema));
  };
}

const INTEGER_TEXT = /^-?\d+$/;

/** A copy with unambiguous scalar conversions applied, or `undefined` when there are none to make. */
function convertScalars(params: Record<string, unknown>, types: ReadonlyMap<string, string>): Record<string, unknown> | undefined {
  let converted: Record<string, unknown> | undefined;
  for (const [name, value] of Object.entries(params)) {
    const next = convertScalar(value, types.get(name));
    if (next === value) continue;
    converted ??= { ...params };
    converted[name] = next;
  }
  return converted;
}

function convertScalar(value: unknown, type: string | undefined): unknown {
  if (type === 'int' && typeof value === 'string' && INTEGER_TEXT.test(value.trim())) return Number(value);
  if (type === 'bool' && (value === 'true' || value === 'false')) return value === 'true';
  if (type === 'str' && (typeof value === 'number' || typeof value === 'boolean')) return String(value);
  return value;
}

function describeProblems(errors: Iterable<ValueError>, schema: TObject<TProperties>): ParameterProblem[] {
  const problems = new Map<string, string>();
  for (const error of errors) {
    const parameter = error.path.split('/')[1] ?? '';
    if (parameter === '' || problems.has(parameter)) continue;
    problems.set(parameter, describe(error, schema.properties[parameter]));
  }
  return [...problems].map(([parameter, message]) => ({ parameter, message }));
}

function describe(error: ValueError, property: TProperties[string] | undefined): string {
  if (error.type === ValueErrorType.ObjectRequiredProperty) return 'is required';
  const expected = property?.description === undefined ? '' : ` (${property.description})`;
  switch (error.type) {
    case ValueErrorType.String:
      return `must be a string${expected}`;
    case ValueErrorType.Integer:
      return `must be a whole number${expected}`;
    case ValueErrorType.Boolean:
      return `must be true or false${expected}`;
    case ValueErrorType.Object:
      return `must be a JSON object${expected}`;
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return `must be at least ${String(property?.minimum)}`;
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return `must be at most ${String(property?.maximum)}`;
    case ValueErrorType.StringMinLength:
      return property?.minLength === 1 ? `must not be empty${expected}` : `must be at least ${String(property?.minLength)} characters long${expected}`;
    case ValueErrorType.StringPattern:
      return `is not in the expected form${expected}`;
    case ValueErrorType.Union:
      return `must be ${unionChoices(property)}${expected}`;
    default:
      return `${lowerFirst(error.message)}${expected}`;
  }
}

const KIND_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a JSON object',
  array: 'a list',
  null: 'null',
};

/** A union's choices in words: its values when it lists values (`one of "json", "form"`), else the kinds it takes (`a string or a list`). */
function unionChoices(property: TProperties[string] | undefined): string {
  const members = (property?.anyOf ?? []) as Array<{ const?: unknown; type?: string }>;
  if (members.every((member) => member.const !== undefined)) return `one of ${members.map((member) => JSON.stringify(member.const)).join(', ')}`;
  return members.map((member) => (member.const !== undefined ? JSON.stringify(member.const) : (KIND_NAMES[member.type ?? ''] ?? 'another kind of value'))).join(' or ');
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
