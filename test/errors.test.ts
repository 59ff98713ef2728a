/**
 * One test holds the code table (`kernel/errorCodes.ts`), docs/errors.md and the gateway's HTTP
 * statuses together, and keeps codes out of free strings in the source.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import Fastify from 'fastify';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from '../gateway/errorHandler.ts';
import { ERROR_CODES, ErrorCode, MandateError } from '../kernel/index.ts';

const root = join(import.meta.dirname, '..');
const table = Object.entries(ERROR_CODES);

interface DocRow {
  code: string;
  http: string;
  meaning: string;
  section: string;
}

/** The rows of every `| code | HTTP | meaning |` table in docs/errors.md, with the section they are in. */
function documentedRows(): DocRow[] {
  const rows: DocRow[] = [];
  let section = '';
  let inTable = false;
  for (const line of readFileSync(join(root, 'docs', 'errors.md'), 'utf8').split('\n')) {
    if (line.startsWith('## ')) section = line.slice(3);
    if (line === '| code | HTTP | meaning |') inTable = true;
    else if (!line.startsWith('|')) inTable = false;
    const row = inTable ? /^\| `([A-Z0-9_]+)` \| ([^|]+) \| (.+) \|$/.exec(line) : null;
    if (row !== null) rows.push({ code: row[1]!, http: row[2]!, meaning: row[3]!, section });
  }
  return rows;
}

const SKIP_DIRS = new Set(['node_modules', 'dist', 'test', 'test-results', '.git', '.mandate', 'migrations']);

/** Non-test source files: everything but tests, test support, migrations (history) and build output. */
function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!SKIP_DIRS.has(name)) sources(path, out);
    } else if (/\.(ts|tsx|js|mjs)$/.test(name) && !/\.(test|e2e\.test)\.ts$|\.d\.ts$/.test(name)) out.push(path);
  }
  return out;
}

/** The code table's own files: the only place a code may be spelt as a string. */
const isTableFile = (file: string): boolean => relative(root, file).startsWith(join('kernel', 'codes') + sep);

/** `createError('MANDATE_ERR_X', …)`: the code argument of the class factory, type-checked against the table. */
function isCreateErrorCode(node: ts.Node): boolean {
  const call = node.parent;
  return (
    ts.isCallExpression(call) &&
    call.arguments[0] === node &&
    ts.isIdentifier(call.expression) &&
    call.expression.text === 'createError'
  );
}

const CODE_IN_TEXT = /MANDATE_[A-Z0-9_]*/g;
const looksLikeCode = (word: string): boolean => word.startsWith('MANDATE_ERR_') || Object.hasOwn(ERROR_CODES, word);

interface Scan {
  /** `file:line: text` of every string that spells a code outside the table. */
  literals: string[];
  /** Every code the source raises by name (`ErrorCode.X`, `createError('X', …)`). */
  referenced: Set<string>;
  /** `file:line: Name` of every error class declared outside its folder's `errors.ts`. */
  strayClasses: string[];
  /** Every `errors.ts` file. */
  errorFiles: string[];
}

/** Whether a class declaration extends `MandateError` or a `createError(…)` class. */
function isErrorClass(node: ts.ClassDeclaration): boolean {
  const base = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
  if (base === undefined) return false;
  if (ts.isIdentifier(base)) return base.text === 'MandateError';
  return ts.isCallExpression(base) && ts.isIdentifier(base.expression) && base.expression.text === 'createError';
}

function scanSources(): Scan {
  const literals: string[] = [];
  const referenced = new Set<string>();
  const strayClasses: string[] = [];
  const all = sources(root);
  for (const file of all) {
    const text = readFileSync(file, 'utf8');
    if (!text.includes('MANDATE_') && !text.includes('Error')) continue;
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
    const visit = (node: ts.Node): void => {
      if (ts.isClassDeclaration(node) && isErrorClass(node) && !file.endsWith(`${sep}errors.ts`)) {
        const line = sf.getLineAndCharacterOfPosition(node.getStart()).line + 1;
        strayClasses.push(`${relative(root, file)}:${line}: ${node.name?.text ?? '(anonymous)'}`);
      }
      if (
        ts.isPropertyAccessExpression(node) &&
        ts.isIdentifier(node.expression) &&
        node.expression.text === 'ErrorCode'
      )
        referenced.add(node.name.text);
      if (
        ts.isStringLiteral(node) ||
        ts.isNoSubstitutionTemplateLiteral(node) ||
        ts.isTemplateHead(node) ||
        ts.isTemplateMiddle(node) ||
        ts.isTemplateTail(node)
      ) {
        const codes = (node.text.match(CODE_IN_TEXT) ?? []).filter(looksLikeCode);
        if (codes.length > 0 && isCreateErrorCode(node)) codes.forEach((c) => referenced.add(c));
        else if (codes.length > 0 && !isTableFile(file)) {
          const line = sf.getLineAndCharacterOfPosition(node.getStart()).line + 1;
          literals.push(`${relative(root, file)}:${line}: ${codes.join(', ')}`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { literals, referenced, strayClasses, errorFiles: all.filter((f) => f.endsWith(`${sep}errors.ts`)) };
}

describe('error codes - the table and docs/errors.md', () => {
  const rows = documentedRows();
  const documented = new Map(rows.map((r) => [r.code, r]));

  it('error codes - docs/errors.md lists each code once', () => {
    expect(rows.length).toBeGreaterThan(100);
    expect(rows.map((r) => r.code).filter((c, i, all) => all.indexOf(c) !== i)).toEqual([]);
  });

  it('error codes - every code of the table is in docs/errors.md, and every documented code is in the table', () => {
    expect(table.map(([code]) => code).filter((code) => !documented.has(code))).toEqual([]);
    expect(rows.map((r) => r.code).filter((code) => !Object.hasOwn(ERROR_CODES, code))).toEqual([]);
  });

  it('error codes - docs/errors.md gives each code the HTTP status and meaning of the table', () => {
    const differing = table
      .map(([code, entry]) => ({ code, table: `${entry.status ?? '—'} | ${entry.meaning}`, row: documented.get(code) }))
      .filter(({ table: t, row }) => row !== undefined && `${row.http} | ${row.meaning}` !== t)
      .map(({ code, table: t, row }) => `${code}: table "${t}", docs "${row!.http} | ${row!.meaning}"`);
    expect(differing).toEqual([]);
  });

  it("error codes - the alert codes are exactly the rows of the docs' alert table, and none has an HTTP status", () => {
    const alertRows = rows.filter((r) => r.section.startsWith('Alert codes')).map((r) => r.code);
    const alerts = table.filter(([, e]) => e.kind === 'alert').map(([code]) => code);
    expect(alertRows.length).toBeGreaterThanOrEqual(5);
    expect(alertRows.sort()).toEqual(alerts.sort());
    expect(table.filter(([, e]) => e.kind !== 'error' && e.status !== null)).toEqual([]);
  });
});

describe('error codes - the source', () => {
  const scan = scanSources();

  it('error codes - no source spells a code as a string outside the table (use ErrorCode.X or an error class)', () => {
    expect(scan.literals).toEqual([]);
  });

  it('error codes - every code of the table is raised somewhere in the source', () => {
    // Raised by a database trigger the migrations install (migrations are history, not scanned).
    const byDatabase = [
      'MANDATE_ERR_AUDIT_APPEND_ONLY',
      'MANDATE_ERR_AGENT_VERSION_IMMUTABLE',
      'MANDATE_ERR_STAKE_IMMUTABLE',
    ];
    expect(table.map(([code]) => code).filter((c) => !scan.referenced.has(c) && !byDatabase.includes(c))).toEqual([]);
  });

  it('error codes - the scan finds codes in strings and templates, and lets createError and ErrorCode through', () => {
    // Guards the guard: the scanner must see what it is meant to refuse.
    const sample = ts.createSourceFile(
      'x.ts',
      "const a = 'MANDATE_ERR_NOT_FOUND'; const b = `MANDATE_ERR_${p}_FAILED`; class C extends createError('MANDATE_ERR_NOT_FOUND', 'C') {}; ErrorCode.MANDATE_GATE_CLOSED;",
      ts.ScriptTarget.Latest,
      true,
    );
    const found: string[] = [];
    const visit = (node: ts.Node): void => {
      if (
        (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node)) &&
        !isCreateErrorCode(node)
      )
        found.push(...(node.text.match(CODE_IN_TEXT) ?? []).filter(looksLikeCode));
      ts.forEachChild(node, visit);
    };
    visit(sample);
    expect(found).toEqual(['MANDATE_ERR_NOT_FOUND', 'MANDATE_ERR_']);
  });

  it("error codes - every error class is declared in its folder's errors.ts", () => {
    expect(scan.strayClasses).toEqual([]);
    expect(scan.errorFiles.length).toBeGreaterThanOrEqual(16);
  });

  it('error codes - every error class is exported under the name its errors carry', async () => {
    const classes: Array<{ where: string; name: string; cls: typeof MandateError }> = [];
    for (const file of scan.errorFiles) {
      const mod = (await import(file)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(mod))
        if (typeof value === 'function' && value.prototype instanceof MandateError)
          classes.push({ where: relative(root, file), name, cls: value as typeof MandateError });
    }
    expect(classes.length).toBeGreaterThanOrEqual(80);
    const misnamed = classes.filter(({ name, cls }) => {
      // The class createError made (or a hand-written one) sits right below MandateError and names the instances.
      let base: unknown = cls;
      while (Object.getPrototypeOf(base) !== MandateError) base = Object.getPrototypeOf(base);
      return cls.name !== name || (base as { name: string }).name !== name;
    });
    expect(misnamed.map(({ where, name }) => `${where}: ${name}`)).toEqual([]);
  });
});

describe('error codes - the gateway answers with the table status', () => {
  const app = Fastify({ bodyLimit: 1024 });
  beforeAll(async () => {
    app.setErrorHandler(errorHandler);
    app.get<{ Params: { code: string } }>('/throw/:code', async (request) => {
      throw new MandateError(request.params.code as ErrorCode, 'thrown by the test');
    });
    app.post('/body', async () => ({ ok: true }));
    await app.ready();
  });
  afterAll(() => app.close());

  it('error codes - every code with an HTTP status reaches the client with that status and code', async () => {
    const answered = await Promise.all(
      table
        .filter(([, e]) => e.status !== null)
        .map(async ([code, e]) => {
          const res = await app.inject({ method: 'GET', url: `/throw/${code}` });
          return {
            code,
            expected: e.status,
            got: res.statusCode,
            body: res.json<{ error: { code: string } }>().error.code,
          };
        }),
    );
    expect(answered.filter((a) => a.got !== a.expected || a.body !== a.code)).toEqual([]);
  });

  it("error codes - Fastify's own client errors get a table code and its status", async () => {
    const big = await app.inject({ method: 'POST', url: '/body', payload: { text: 'x'.repeat(2_000) } });
    expect([big.statusCode, big.json().error.code]).toEqual([
      ERROR_CODES.MANDATE_ERR_REQUEST_TOO_LARGE.status,
      ErrorCode.MANDATE_ERR_REQUEST_TOO_LARGE,
    ]);
    expect(big.json().error.message).toMatch(/at most 1024 bytes/);
    const xml = await app.inject({
      method: 'POST',
      url: '/body',
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    expect([xml.statusCode, xml.json().error.code]).toEqual([
      ERROR_CODES.MANDATE_ERR_REQUEST_MEDIA_TYPE.status,
      ErrorCode.MANDATE_ERR_REQUEST_MEDIA_TYPE,
    ]);
    const broken = await app.inject({
      method: 'POST',
      url: '/body',
      headers: { 'content-type': 'application/json' },
      payload: '{"a":',
    });
    expect([broken.statusCode, broken.json().error.code]).toEqual([
      ERROR_CODES.MANDATE_ERR_REQUEST_INVALID.status,
      ErrorCode.MANDATE_ERR_REQUEST_INVALID,
    ]);
  });

  it('error codes - a code without an HTTP status answers 500', async () => {
    const res = await app.inject({ method: 'GET', url: `/throw/${ErrorCode.MANDATE_ERR_SNAPSHOT_INCOMPATIBLE}` });
    expect(res.statusCode).toBe(500);
  });
});
