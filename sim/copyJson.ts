/** jsonb-like copy: what a database or a bank gives back is never the object that was given to it. */
export function copyJson<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
