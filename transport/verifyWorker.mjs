// Worker thread of WorkerSignatureVerifier: verifies batches of Ed25519 signatures with node:crypto.
// Plain JavaScript on purpose: workers start without the TypeScript loader.
import { Buffer } from 'node:buffer';
import { createPublicKey, verify } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

const keys = new Map();
function keyOf(raw) {
  const k = Buffer.from(raw).toString('base64url');
  let key = keys.get(k);
  if (key === undefined) {
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: k }, format: 'jwk' });
    if (keys.size > 100000) keys.clear();
    keys.set(k, key);
  }
  return key;
}

parentPort.on('message', (batch) => {
  const results = new Uint8Array(batch.items.length);
  batch.items.forEach((item, i) => {
    try {
      results[i] = verify(null, item.message, keyOf(item.publicKey), item.signature) ? 1 : 0;
    } catch {
      results[i] = 0;
    }
  });
  parentPort.postMessage({ id: batch.id, results }, [results.buffer]);
});
