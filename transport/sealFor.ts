import type { AgentBus } from './AgentBus.ts';
import { TransportUsageError } from './errors.ts';
import { sealBody, x25519FromDid } from './payloadCipher.ts';
import type { EnvelopeDraft } from './signEnvelope.ts';

/** Seals `body` to `to`'s encryption key: the one its descriptor publishes, else the one derived from its did. */
export async function sealFor(
  bus: Pick<AgentBus, 'registry'>,
  m: { from: string; to: string; type: string; body: unknown },
): Promise<Pick<EnvelopeDraft, 'enc' | 'body'>> {
  if (!m.to.startsWith('did:key:'))
    throw new TransportUsageError(`Only a message to one agent (did:key:…) can be encrypted, not one to "${m.to}".`);
  const status = await bus.registry.lookup(m.to);
  const published = status.state === 'active' ? status.descriptor.encryptionKey : undefined;
  const recipientKey =
    published === undefined ? x25519FromDid(m.to) : new Uint8Array(Buffer.from(published, 'base64url'));
  return sealBody({ ...m, recipientKey });
}
