/**
 * JSON values as GraphQL input literals, for the `where` filters of subgraph queries: keys must be
 * GraphQL names, strings are JSON-quoted (JSON's escapes are GraphQL's), so a filter can never
 * inject query text. Selections are checked against a small grammar for the same reason.
 */
import { ChainDataInvalidError } from './errors.ts';

const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** Whether `value` is a GraphQL name (an entity, a field or a filter key). */
export function isGraphqlName(value: string): boolean {
  return NAME.test(value);
}

/** `value` written as a GraphQL input literal; throws for what GraphQL input cannot hold. */
export function graphqlLiteral(value: unknown, path = 'where'): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ChainDataInvalidError(`${path} is ${value}; a filter number must be finite`);
    return String(value);
  }
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (Array.isArray(value)) return `[${value.map((v, i) => graphqlLiteral(v, `${path}[${i}]`)).join(', ')}]`;
  if (typeof value === 'object') {
    const fields = Object.entries(value as Record<string, unknown>).map(([key, v]) => {
      if (!isGraphqlName(key))
        throw new ChainDataInvalidError(`${path} has the key ${JSON.stringify(key)}, which is not a GraphQL name`);
      return `${key}: ${graphqlLiteral(v, `${path}.${key}`)}`;
    });
    return `{${fields.join(', ')}}`;
  }
  throw new ChainDataInvalidError(
    `${path} is a ${typeof value}; a filter holds strings, numbers, booleans, lists and objects`,
  );
}

/**
 * Checks a selection set such as `amount from to token { symbol decimals }`: names, nested braces,
 * nothing else (no arguments, aliases, directives or fragments).
 */
export function checkSelection(selection: string, what: string): string {
  let depth = 0;
  for (const token of selection.match(/[{}]|[^\s{}]+/g) ?? []) {
    if (token === '{') depth += 1;
    else if (token === '}') depth -= 1;
    else if (!isGraphqlName(token))
      throw new ChainDataInvalidError(
        `${what} has ${JSON.stringify(token)}; a selection holds field names and braces only`,
      );
    if (depth < 0) break;
  }
  if (depth !== 0 || selection.trim() === '')
    throw new ChainDataInvalidError(`${what} ${JSON.stringify(selection)} is empty or its braces do not balance`);
  return selection.trim();
}
