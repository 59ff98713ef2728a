/**
 * One row of the code table (`ERROR_CODES`): what a code means and what the gateway answers
 * with. docs/errors.md shows the same rows; `test/errors.test.ts` holds the two together.
 */
export type CodeEntry =
  | {
      /** Thrown as a `MandateError` (it may also be recorded in outcomes, receipts and alerts). */
      readonly kind: 'error';
      /** The HTTP status the gateway answers with; null for an error that never leaves the runtime. */
      readonly status: number | null;
      /** What failed and what to do, as docs/errors.md says it. */
      readonly meaning: string;
    }
  | {
      /** `outcome`: never thrown, the code of a failed result (a denied proposal, a receipt, an exit); `alert`: only an alert's code. */
      readonly kind: 'outcome' | 'alert';
      /** Never an HTTP answer. */
      readonly status: null;
      readonly meaning: string;
    };
