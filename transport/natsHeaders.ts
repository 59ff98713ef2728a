import { headers as natsHeaders, type Msg, type MsgHdrs } from '@nats-io/transport-node';
import type { MessageHeaders, TransportMessage } from './Transport.ts';

/** nats.js publish options for a reply subject and headers, either of which may be absent. */
export function publishOptions(reply: string | undefined, headers: MsgHdrs | undefined) {
  if (headers === undefined) return reply === undefined ? undefined : { reply };
  return reply === undefined ? { headers } : { reply, headers };
}

/** A header record as nats.js headers. */
export function toNats(headers: MessageHeaders | undefined): MsgHdrs | undefined {
  if (headers === undefined) return undefined;
  const h = natsHeaders();
  for (const [k, v] of Object.entries(headers)) h.set(k, v);
  return h;
}

/** NATS headers as a plain record (first value of each key); `undefined` when the message has none. */
export function fromNats(h: MsgHdrs | undefined): MessageHeaders | undefined {
  if (h === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const k of h.keys()) out[k] = h.get(k);
  return out;
}

/** A core NATS message as the transport delivers it (no `headers` key when it has none). */
export function transportMessage(msg: Msg): TransportMessage {
  const reply = msg.reply === '' ? undefined : msg.reply;
  const headers = fromNats(msg.headers);
  return headers === undefined
    ? { subject: msg.subject, data: msg.data, reply }
    : { subject: msg.subject, data: msg.data, reply, headers };
}
