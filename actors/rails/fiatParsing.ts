/** The fiat rail's parsing at its two edges: an intent's amount in minor units, and the bank's answer. */
import { parseUnits } from 'ethers';
import { BroadcastError, InvalidIntentError } from './errors.ts';
import { PaymentInitiationResponse } from './PaymentInitiationApi.ts';
import type { FiatIntent } from './PaymentIntent.ts';

/** The intent's amount in minor units (cents); refuses zero or sub-cent amounts. */
export function toMinor(intent: FiatIntent): bigint {
  try {
    const minor = parseUnits(intent.amount, 2);
    if (minor === 0n) throw new Error('zero');
    return minor;
  } catch (cause) {
    throw new InvalidIntentError(
      `amount "${intent.amount}" ${intent.currency} is zero or has more than 2 decimals; send a positive amount in cents precision`,
      { cause },
    );
  }
}

/** The bank's answer, validated; an unexpected body is a broadcast error (the payment stays recorded and is re-checked). */
export function parseBank(raw: unknown, bank: string): PaymentInitiationResponse {
  const parsed = PaymentInitiationResponse.safeParse(raw);
  if (!parsed.success) {
    throw new BroadcastError(
      `bank "${bank}" answered with an unexpected body (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}); the payment stays recorded and is re-checked`,
      {
        details: { bank },
      },
    );
  }
  return parsed.data;
}
