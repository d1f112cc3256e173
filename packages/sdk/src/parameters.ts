import { KindGuard, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';

/** A parameter type as `GET /v1/commands` lists it. */
export type ParameterType = 'str' | 'int' | 'bool' | 'any';

/** One entry of a command's `parameters` in `GET /v1/commands`. */
export interface ParameterDescriptor {
  id: string;
  type: ParameterType;
  required: boolean;
  /**
   * The schema's `description`, for people filling in the editor's form (an extra field the
   * engine ignores). Absent when the schema has none, or an empty one.
   */
  description?: string;
}

/** True when a property schema was declared with `Type.Optional(...)`. */
export function isOptionalParameter(schema: TSchema): boolean {
  return KindGuard.IsOptional(schema);
}

/** The protocol's type for a schema: a string enum is `str`, anything not plain is `any`. */
export function parameterType(schema: TSchema): ParameterType {
  if (KindGuard.IsString(schema) || KindGuard.IsLiteralString(schema)) return 'str';
  if (KindGuard.IsInteger(schema)) return 'int';
  if (KindGuard.IsBoolean(schema)) return 'bool';
  if (KindGuard.IsUnion(schema) && schema.anyOf.length > 0 && schema.anyOf.every((m) => parameterType(m) === 'str')) return 'str';
  return 'any';
}

/**
 * The `/v1/commands` descriptors of a parameter object, in declaration order, each with its
 * schema's `description` when it has one.
 *
 * @example
 * describeParameters(Type.Object({ url: Type.String({ description: 'The URL to call' }), headers: Type.Optional(Type.Any()) }))
 * // [{ id: 'url', type: 'str', required: true, description: 'The URL to call' }, { id: 'headers', type: 'any', required: false }]
 */
export function describeParameters(schema: TObject<TProperties>): ParameterDescriptor[] {
  return Object.entries(schema.properties).map(([id, property]) => {
    const descriptor: ParameterDescriptor = { id, type: parameterType(property), required: !isOptionalParameter(property) };
    const description = descriptionOf(property);
    if (description !== undefined) descriptor.description = description;
    return descriptor;
  });
}

/**
 * A schema's `description` when it says something; `undefined` for none, an empty or blank one,
 * or a value that is not a string (a hand-written JSON schema may hold anything).
 *
 * @example
 * descriptionOf(Type.String({ description: 'The URL to call' })) // 'The URL to call'
 * descriptionOf(Type.String())                                  // undefined
 */
export function descriptionOf(schema: { description?: unknown }): string | undefined {
  const { description } = schema;
  return typeof description === 'string' && description.trim() !== '' ? description : undefined;
}
