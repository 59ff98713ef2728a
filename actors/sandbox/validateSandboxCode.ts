import { parse, type Node } from 'acorn';
import { SandboxCodeError } from './errors.ts';

/** The functions a strategy module may export; anything else it exports is ignored. */
export const STRATEGY_EXPORTS = ['perceive', 'decide', 'learn'] as const;
/** One of {@link STRATEGY_EXPORTS}. */
export type StrategyFunction = (typeof STRATEGY_EXPORTS)[number];

/** Largest strategy module accepted, in bytes of UTF-8. */
export const MAX_CODE_BYTES = 256 * 1024;

/**
 * Checks a strategy module before any of it runs: it parses as an ES module, is at most
 * {@link MAX_CODE_BYTES}, imports nothing (no `import` declarations, no `export … from`, no
 * `import()`, no `import.meta`: the isolate has no module loader, and a module that counts on one
 * is refused here with a clear message rather than failing at run time), and exports at least one
 * of perceive/decide/learn. `eval` and `Function` are not refused: they compile inside the isolate
 * and reach nothing more than the module itself does. Returns the strategy functions it exports.
 *
 * @example
 * validateSandboxCode('export function decide(facts) { return { action: null } }', 'strategy.js'); // ['decide']
 */
export function validateSandboxCode(code: string, source: string): StrategyFunction[] {
  const bytes = Buffer.byteLength(code, 'utf8');
  if (bytes > MAX_CODE_BYTES) {
    throw new SandboxCodeError(source, `is ${bytes} bytes; strategy modules are at most ${MAX_CODE_BYTES} bytes`);
  }
  let program: Node;
  try {
    program = parse(code, { ecmaVersion: 'latest', sourceType: 'module', locations: true });
  } catch (cause) {
    throw new SandboxCodeError(source, `does not parse as an ES module: ${(cause as Error).message}`, { cause });
  }
  const exported = new Set<string>();
  walk(program, (node) => {
    const line = node.loc?.start.line ?? 0;
    switch (node.type) {
      case 'ImportDeclaration':
      case 'ExportAllDeclaration':
        throw new SandboxCodeError(source, `line ${line}: imports a module; sandboxed strategies import nothing`);
      case 'ImportExpression':
        throw new SandboxCodeError(source, `line ${line}: uses import(); sandboxed strategies import nothing`);
      case 'MetaProperty':
        throw new SandboxCodeError(source, `line ${line}: uses import.meta, which sandboxed strategies do not have`);
      case 'ExportNamedDeclaration':
        if ((node as unknown as { source: unknown }).source != null) {
          throw new SandboxCodeError(
            source,
            `line ${line}: re-exports from a module; sandboxed strategies import nothing`,
          );
        }
        for (const name of exportedNames(node)) exported.add(name);
        break;
      default:
        break;
    }
  });
  const functions = STRATEGY_EXPORTS.filter((f) => exported.has(f));
  if (functions.length === 0) {
    throw new SandboxCodeError(source, `exports none of ${STRATEGY_EXPORTS.join(', ')}; export at least one function`);
  }
  return functions;
}

/** The names an `export` declaration binds. */
function exportedNames(node: Node): string[] {
  const n = node as unknown as {
    declaration: null | { type: string; id?: { name: string }; declarations?: Array<{ id: { name?: string } }> };
    specifiers: Array<{ exported: { name?: string; value?: string } }>;
  };
  const names = n.specifiers.map((s) => s.exported.name ?? s.exported.value ?? '');
  if (n.declaration?.id !== undefined) names.push(n.declaration.id.name);
  for (const d of n.declaration?.declarations ?? []) if (d.id.name !== undefined) names.push(d.id.name);
  return names;
}

/** Visits every node of an acorn tree, depth first. */
function walk(node: Node, visit: (node: Node) => void): void {
  visit(node);
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) walk(item, visit);
    } else if (isNode(value)) walk(value, visit);
  }
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
