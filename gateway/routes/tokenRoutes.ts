/**
 * Token management over HTTP (admin only): the same token file `mandate token` edits, so the CLI
 * and the API see one list. A created token's plaintext is in the answer once and never again.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { durationSchema } from '../../actors/index.ts';
import { principalOf } from '../authenticate.ts';
import { TokensUnmanagedError } from '../errors.ts';
import type { MandateRuntime } from '../RuntimeApi.ts';
import { ROLES } from '../roles.ts';
import { ReasonSchema } from '../schemas.ts';
import { issueToken, loadTokenFile, revokeToken, TokenFileSchema } from '../tokenFile.ts';
import type { TokenStore } from '../TokenStore.ts';

const NameSchema = TokenFileSchema.shape.tokens.element.shape.name;

const CreateBodySchema = z
  .object({
    name: NameSchema,
    role: z.enum(ROLES),
    /** Lifetime, e.g. `90m`, `12h`, `30d`; absent: the token does not expire. */
    expires: durationSchema.optional(),
    reason: ReasonSchema.optional(),
  })
  .strict();

const NameParamsSchema = z.object({ name: NameSchema }).strict();
const RevokeQuerySchema = z.object({ reason: ReasonSchema.optional() }).strict();

/** Where the routes read and write tokens. */
export interface TokenRoutesOptions {
  /** The token file; without one the routes answer `MANDATE_ERR_TOKENS_UNMANAGED`. */
  path: string | undefined;
  /** The gateway's live token store: reloaded from the file after each change, so it takes effect at once. */
  tokens: TokenStore;
  clock: () => number;
}

/** Registers GET /api/tokens, POST /api/tokens and DELETE /api/tokens/:name. */
export function tokenRoutes(app: FastifyInstance, runtime: MandateRuntime, options: TokenRoutesOptions): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['tokens'];
  const config = { permission: 'token.manage' } as const;
  // One change at a time: each is a read-modify-write of the whole file.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: (path: string) => Promise<T>): Promise<T> => {
    const path = options.path;
    if (path === undefined) throw new TokensUnmanagedError();
    const run = queue.then(async () => {
      const result = await work(path);
      const reloaded = await loadTokenFile(path);
      if (reloaded !== undefined) options.tokens.replaceWith(reloaded);
      return result;
    });
    queue = run.catch(() => undefined);
    return run;
  };
  const audit = async (entry: {
    action: string;
    subject: string;
    who: ReturnType<typeof principalOf>;
    why: string;
    data: Record<string, unknown>;
  }) => runtime.store?.appendAudit({ ...entry, where: runtime.nodeId, at: options.clock() });
  type Entry = Parameters<typeof audit>[0];
  // Audited before the token file is written; when the write fails, a compensating `<action>.failed`
  // entry says it did not happen, so the trail never claims a token that does not exist (or a revocation not made).
  const audited = async <T>(entry: Entry, change: () => Promise<T>): Promise<T> => {
    await audit(entry);
    try {
      return await change();
    } catch (error) {
      const { code, message } = error as { code?: string; message: string };
      const data = { ...entry.data, code: code ?? null, error: message };
      await audit({ ...entry, action: `${entry.action}.failed`, why: `not applied: ${entry.why}`, data });
      throw error;
    }
  };

  api.get(
    '/api/tokens',
    {
      config,
      schema: { summary: 'Every token: name, role, created, expiry (hashes and plaintexts are never shown)', tags },
    },
    async () => {
      if (options.path === undefined) throw new TokensUnmanagedError();
      const now = options.clock();
      const entries = (await loadTokenFile(options.path))?.entries() ?? [];
      return {
        tokens: entries.map(({ name, role, createdAt, expiresAt }) => ({
          name,
          role,
          createdAt,
          expiresAt: expiresAt ?? null,
          expired: expiresAt !== undefined && now >= expiresAt,
        })),
      };
    },
  );

  api.post(
    '/api/tokens',
    {
      config,
      schema: {
        summary: 'Create a token; its plaintext is in this answer only, so keep it',
        tags,
        body: CreateBodySchema,
      },
    },
    async (request, reply) => {
      const { name, role, expires, reason } = request.body;
      const by = principalOf(request);
      const createdAt = options.clock();
      const expiresAt = expires === undefined ? undefined : createdAt + expires;
      const token = await serially(async (path) => {
        const taken = (await loadTokenFile(path))?.entries().some((e) => e.name === name) === true;
        const change = () =>
          issueToken(path, { name, role, now: createdAt, ...(expiresAt === undefined ? {} : { expiresAt }) });
        // A taken name is refused by issueToken; only a change that goes ahead is audited.
        if (taken) return change();
        const why = reason ?? 'token created';
        const data = { role, expiresAt: expiresAt ?? null };
        return audited({ action: 'operator.token.create', subject: name, who: by, why, data }, change);
      });
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ token, name, role, createdAt, expiresAt: expiresAt ?? null });
    },
  );

  api.delete(
    '/api/tokens/:name',
    {
      config,
      schema: {
        summary: 'Revoke a token (refused for the last admin token); it is refused at once',
        tags,
        params: NameParamsSchema,
        querystring: RevokeQuerySchema,
      },
    },
    async (request) => {
      const { name } = request.params;
      const by = principalOf(request);
      await serially(async (path) => {
        // Checked by revokeToken too; audited only once it is known to go ahead.
        const entries = (await loadTokenFile(path))?.entries() ?? [];
        const change = () => revokeToken(path, name);
        if (!entries.some((e) => e.name === name) || lastAdmin(entries, name)) return change();
        const why = request.query.reason ?? 'token revoked';
        await audited({ action: 'operator.token.revoke', subject: name, who: by, why, data: {} }, change);
      });
      return { ok: true, revoked: name };
    },
  );
}

function lastAdmin(entries: { name: string; role: string }[], name: string): boolean {
  const admins = entries.filter((e) => e.role === 'admin');
  return admins.length === 1 && admins[0]?.name === name;
}
