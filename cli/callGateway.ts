import { isErrorCode, MandateError } from '../kernel/index.ts';
import { GatewayUnreachableError } from './errors.ts';

/** Where the gateway is and the token to call it with. */
export interface Gateway {
  url: string;
  token: string | undefined;
}

/** Calls the gateway; its coded errors come back as the same coded errors, anything else as MANDATE_ERR_GATEWAY_UNREACHABLE. */
export async function callGateway({ url, token }: Gateway, path: string, body?: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(new URL(path, url), {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (cause) {
    throw new GatewayUnreachableError(
      `No gateway answers at ${url} (${(cause as Error).message}); start the node ("mandate run") or pass its address with --url or MANDATE_URL.`,
      { cause },
    );
  }
  const json = (await response.json().catch(() => undefined)) as
    { error?: { code?: unknown; message?: string; details?: Record<string, unknown> } } | undefined;
  if (response.ok && json !== undefined) return json;
  const error = json?.error;
  if (error !== undefined && isErrorCode(error.code))
    throw new MandateError(
      error.code,
      error.message ?? error.code,
      error.details === undefined ? {} : { details: error.details },
    );
  throw new GatewayUnreachableError(
    `${url} answered ${response.status} without a Mandate error; is --url the node's gateway?`,
  );
}
