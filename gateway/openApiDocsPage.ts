/**
 * The API reference page: the OpenAPI document rendered as plain HTML on the server, so it needs
 * no script and no inline style under the gateway's content security policy.
 */

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: unknown;
}
interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
}
/** The parts of an OpenAPI document the page shows. */
interface Document {
  info: { title: string; version: string; description?: string };
  paths?: object;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function typeOf(schema: unknown): string {
  if (typeof schema !== 'object' || schema === null) return '';
  const s = schema as { type?: unknown; enum?: unknown[]; pattern?: unknown };
  if (Array.isArray(s.enum)) return s.enum.map(String).join(' | ');
  return [typeof s.type === 'string' ? s.type : 'any', typeof s.pattern === 'string' ? `/${s.pattern}/` : '']
    .filter(Boolean)
    .join(' ');
}

function operationHtml(method: string, path: string, op: Operation): string {
  const params = (op.parameters ?? [])
    .map(
      (p) =>
        `<tr><td><code>${escape(p.name)}</code></td><td>${escape(p.in)}</td><td>${p.required === true ? 'yes' : ''}</td><td><code>${escape(typeOf(p.schema))}</code></td></tr>`,
    )
    .join('');
  const body = op.requestBody?.content?.['application/json']?.schema;
  return [
    `<section id="${escape(`${method}-${path}`)}"><h3><code>${method.toUpperCase()} ${escape(path)}</code></h3>`,
    `<p>${escape(op.summary ?? '')}</p>`,
    ...(op.description ?? '').split('\n\n').map((line) => `<p>${escape(line)}</p>`),
    params === '' ? '' : `<table><tr><th>parameter</th><th>in</th><th>required</th><th>type</th></tr>${params}</table>`,
    body === undefined
      ? ''
      : `<details><summary>request body</summary><pre>${escape(JSON.stringify(body, null, 2))}</pre></details>`,
    '</section>',
  ].join('\n');
}

/** The page for `document` (what `app.swagger()` returns). */
export function openApiDocsPage(document: Document): string {
  const sections: string[] = [];
  const index: string[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {}) as [string, Record<string, Operation | undefined>][])
    for (const method of METHODS) {
      const op = item[method];
      if (op === undefined) continue;
      index.push(
        `<li><a href="#${escape(`${method}-${path}`)}"><code>${method.toUpperCase()} ${escape(path)}</code></a> ${escape(op.summary ?? '')}</li>`,
      );
      sections.push(operationHtml(method, path, op));
    }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(document.info.title)} API</title></head>
<body><h1>${escape(document.info.title)} API, version ${escape(document.info.version)}</h1>
<p>${escape(document.info.description ?? '')}</p>
<p>The machine-readable document: <a href="/api/openapi.json"><code>/api/openapi.json</code></a> (OpenAPI 3.1).</p>
<ul>${index.join('\n')}</ul>
${sections.join('\n')}
</body></html>
`;
}
