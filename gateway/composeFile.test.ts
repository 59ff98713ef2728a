import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);

async function validator() {
  const schema = JSON.parse(await readFile(new URL('gateway/compose-schema/compose-spec.json', root), 'utf8'));
  // The schema names its draft-07 meta-schema by an https URL ajv does not register; ajv's default is draft-07 anyway.
  const { $schema: _meta, ...body } = schema as Record<string, unknown>;
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  return ajv.compile(body);
}

describe('gateway - docker-compose.yml', () => {
  it('gateway - docker-compose.yml is valid against the Compose specification schema', async () => {
    const validate = await validator();
    const doc = parse(await readFile(new URL('docker-compose.yml', root), 'utf8'));
    const ok = validate(doc);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('gateway - the schema rejects a broken compose file, so the check above means something', async () => {
    const validate = await validator();
    expect(validate({ services: { runtime: { image: 'x', ports: [{ target: 'not-a-port' }], bogus: 1 } } })).toBe(
      false,
    );
  });

  it('gateway - compose runs NATS with JetStream, PostgreSQL and the runtime wired to both', async () => {
    const doc = parse(await readFile(new URL('docker-compose.yml', root), 'utf8')) as {
      services: Record<
        string,
        {
          command?: string[];
          image?: string;
          environment?: Record<string, string>;
          depends_on?: Record<string, unknown>;
        }
      >;
    };
    expect(doc.services.nats?.command).toContain('--jetstream');
    expect(doc.services.postgres?.image).toMatch(/^postgres:/);
    const runtime = doc.services.runtime;
    expect(Object.keys(runtime?.depends_on ?? {}).sort()).toEqual(['nats', 'postgres']);
    expect(runtime?.environment?.NATS_URL).toBe('nats://nats:4222');
    expect(runtime?.environment?.DATABASE_URL).toMatch(/^postgresql:\/\/mandate:.*@postgres:5432\/mandate$/);
  });
});
