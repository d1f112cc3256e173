import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value';
import { invalidParameters, type ParameterProblem, type TObject, type TProperties } from '@connector-proxy/sdk';

/** Picks a command's parameters out of a call's body and checks them. Compiled once per command. */
export type ParameterValidator = (body: Record<string, unknown>) => Record<string, unknown>;

/**
 * Compiles a command's parameter schema. The validator keeps only declared parameters (so
 * `spiff__*` keys and strays never reach a command), treats JSON `null` as absent, and throws
 * one `invalid_parameters` error that names every bad parameter.
 *
 * Values that are wrong only in their JSON type ("25" for an int, 7 for a str, "true" for a bool)
 * are converted, as a form-built workflow often sends them so. The conversion runs only after
 * the fast check fails, so well-typed calls never pay for it.
 */
export function compileParameters(schema: TObject<TProperties>): ParameterValidator {
  const check = TypeCompiler.Compile(schema);
  const names = Object.keys(schema.properties);
  return (body) => {
    const params: Record<string, unknown> = {};
    for (const name of names) {
      const value = body[name];
      if (value !== undefined && value !== null) params[name] = value;
    }
    if (check.Check(params)) return params;
    const converted = Value.Convert(schema, params) as Record<string, unknown>;
    if (check.Check(converted)) return converted;
    throw invalidParameters(describeProblems(check.Errors(params), schema));
  };
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
    case ValueErrorType.Union:
      return `must be one of ${unionChoices(property)}${expected}`;
    default:
      return `${lowerFirst(error.message)}${expected}`;
  }
}

function unionChoices(property: TProperties[string] | undefined): string {
  const members = (property?.anyOf ?? []) as Array<{ const?: unknown }>;
  return members.map((member) => JSON.stringify(member.const)).join(', ');
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
