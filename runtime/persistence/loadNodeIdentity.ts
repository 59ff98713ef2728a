import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { AgentIdentity } from '../../transport/index.ts';
import { checkPrivateFile } from './checkPrivateFile.ts';
import { StoreConfigError } from './errors.ts';
import type { SecretBox } from './SecretBox.ts';

const sealedSchema = z.strictObject({ did: z.string().startsWith('did:key:'), sealed: z.string().startsWith('v1.') });
/** The file before it was sealed (`{ did, privateKey }` in clear); rewritten sealed on first read. */
const clearSchema = z.strictObject({ did: z.string().startsWith('did:key:'), privateKey: z.string().min(1) });

const aad = (did: string) => `node:identity:${did}`;

/**
 * The node's messaging identity (its did names the node and signs its envelopes), kept in `path`
 * with the private key sealed by the data key (`MANDATE_SECRET_KEY` or `secret.key`), so the file
 * alone gives nothing away. Created on first start (mode 0600); a file from before sealing is
 * rewritten sealed; a file group or others can read is refused (`MANDATE_ERR_STORE_FILE_MODE`).
 */
export async function loadNodeIdentity(path: string, box: SecretBox): Promise<AgentIdentity> {
  checkPrivateFile(path, 'The node identity file');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const identity = AgentIdentity.generate();
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(path, sealedJson(identity, box), { mode: 0o600, flag: 'wx' });
    return identity;
  }
  const json = parse(text, path);
  const sealed = sealedSchema.safeParse(json);
  if (sealed.success)
    return AgentIdentity.fromJSON({
      did: sealed.data.did,
      privateKey: box.open(sealed.data.sealed, aad(sealed.data.did)),
    });
  const clear = clearSchema.safeParse(json);
  if (!clear.success)
    throw new StoreConfigError(
      `The node identity file "${path}" is neither { did, sealed } nor an older { did, privateKey }; restore it from a backup, or delete it to give this node a new did.`,
    );
  const identity = AgentIdentity.fromJSON(clear.data);
  // Through a temporary file and a rename, so a crash leaves the old file or the new one.
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, sealedJson(identity, box), { mode: 0o600, flag: 'wx' });
  await rename(tmp, path);
  return identity;
}

function sealedJson(identity: AgentIdentity, box: SecretBox): string {
  return `${JSON.stringify({ did: identity.did, sealed: box.seal(identity.toJSON().privateKey, aad(identity.did)) })}\n`;
}

function parse(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new StoreConfigError(
      `The node identity file "${path}" is not JSON; restore it from a backup, or delete it to give this node a new did.`,
      { cause },
    );
  }
}
