import type { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { NumberValue } from '@aws-sdk/lib-dynamodb';
import { invalidParameters } from '@connector-proxy/sdk';
import { awsFailure } from './aws-failure.js';
import { awsRequestFailed } from './errors.js';

/** A key attribute: its name and DynamoDB scalar type (`S` string, `N` number, `B` binary). */
export interface KeyAttribute {
  name: string;
  type: 'S' | 'N' | 'B';
}

/** A table's primary key. */
export interface TableKeys {
  partition: KeyAttribute;
  sort: KeyAttribute | undefined;
}

/**
 * The key attributes of each table, found with `DescribeTable` the first time a table is queried.
 * Only successful answers are kept, so a table created later is found on the next call.
 */
export class KeySchemaCache {
  readonly #client: DynamoDBClient;
  readonly #DescribeTableCommand: typeof DescribeTableCommand;
  readonly #tables = new Map<string, TableKeys>();

  /** `DescribeTableCommand` comes from the SDK the caller loaded (see `loadAwsClients`). */
  constructor(client: DynamoDBClient, describeTableCommand: typeof DescribeTableCommand) {
    this.#client = client;
    this.#DescribeTableCommand = describeTableCommand;
  }

  async keysOf(table: string, signal: AbortSignal): Promise<TableKeys> {
    const cached = this.#tables.get(table);
    if (cached !== undefined) return cached;
    const keys = await this.#describe(table, signal);
    this.#tables.set(table, keys);
    return keys;
  }

  /** Drops what is known of a table, e.g. after a query failed because it was recreated. */
  forget(table: string): void {
    this.#tables.delete(table);
  }

  async #describe(table: string, signal: AbortSignal): Promise<TableKeys> {
    let description;
    try {
      description = (await this.#client.send(new this.#DescribeTableCommand({ TableName: table }), { abortSignal: signal })).Table;
    } catch (error) {
      throw awsFailure(error, { service: 'DynamoDB', table });
    }
    const attributeType = (name: string): KeyAttribute['type'] | undefined =>
      description?.AttributeDefinitions?.find((definition) => definition.AttributeName === name)?.AttributeType;
    const keyAttribute = (role: 'HASH' | 'RANGE'): KeyAttribute | undefined => {
      const name = description?.KeySchema?.find((element) => element.KeyType === role)?.AttributeName;
      const type = name === undefined ? undefined : attributeType(name);
      return name === undefined || type === undefined ? undefined : { name, type };
    };
    const partition = keyAttribute('HASH');
    if (partition === undefined) {
      throw awsRequestFailed('DynamoDB', `DescribeTable gave no partition key for table "${table}"`, undefined, undefined);
    }
    return { partition, sort: keyAttribute('RANGE') };
  }
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * A key value given as text, in the key attribute's own type: numbers stay exact (as DynamoDB
 * text, not a rounded double) and binary keys are given as base64. `numberValue` is the SDK's
 * `NumberValue` class (see `loadAwsClients`).
 *
 * @example
 * keyValue({ name: 'year', type: 'N' }, '2024', 'sort_key', sdk.NumberValue) // NumberValue 2024
 */
export function keyValue(attribute: KeyAttribute, text: string, parameter: string, numberValue: typeof NumberValue): string | NumberValue | Buffer {
  switch (attribute.type) {
    case 'S':
      return text;
    case 'N':
      if (!DECIMAL.test(text.trim())) {
        throw invalidParameters([{ parameter, message: `must be a number: the table's key "${attribute.name}" is numeric` }]);
      }
      return numberValue.from(text.trim());
    case 'B':
      if (!BASE64.test(text)) {
        throw invalidParameters([{ parameter, message: `must be base64: the table's key "${attribute.name}" is binary` }]);
      }
      return Buffer.from(text, 'base64');
  }
}
