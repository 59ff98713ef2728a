/**
 * One interface over external business platforms (seed 002's platform adapters): authenticate,
 * read, write, execute an action, subscribe to changes. Every record carries the platform's own
 * version (an ETag, or a modification stamp) so writes can be conditional and state sync can tell
 * a conflict from an update.
 */

/** A record as a platform holds it. */
export interface PlatformRecord {
  /** The record's type on the platform: an sObject (`Account`), an OData entity set (`A_BusinessPartner`). */
  readonly type: string;
  readonly id: string;
  readonly fields: Readonly<Record<string, unknown>>;
  /** The platform's version of the record: what a conditional write sends back (`If-Match`). */
  readonly version: string;
}

/** A change a platform reports to a subscriber. */
export interface PlatformEvent {
  readonly type: string;
  readonly id: string;
  /** The platform's time of the change, ISO 8601, when it gives one. */
  readonly at?: string;
}

/** How to subscribe. Platforms here are polled (their change APIs are pull-based). */
export interface SubscribeOptions {
  /** First change time of interest, ISO 8601; default now. */
  readonly since?: string;
  /** Between polls; default 30 s. */
  readonly intervalMs?: number;
  /** Told of a failed poll (the next poll still runs). */
  readonly onError?: (error: Error) => void;
}

/** An external platform. */
export interface PlatformAdapter {
  /** Names it in results and the audit trail, e.g. `salesforce`, `sap`. */
  readonly platform: string;
  /** Obtains or refreshes credentials; other calls do it on demand and once more after a 401. */
  authenticate(): Promise<void>;
  read(type: string, id: string): Promise<PlatformRecord>;
  /**
   * Changes `fields` of one record. With `ifMatch`, the platform refuses (as
   * `PlatformConflictError`) when the record's version is no longer that one.
   */
  write(
    target: { type: string; id: string; ifMatch?: string },
    fields: Readonly<Record<string, unknown>>,
  ): Promise<PlatformRecord>;
  /** Runs a named platform action (a flow, a function import) and returns its outputs. */
  execute(action: string, input: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>>;
  /** Calls `onEvent` for records of `type` changed after `since`; returns the unsubscribe function. */
  subscribe(type: string, onEvent: (event: PlatformEvent) => void, options?: SubscribeOptions): () => void;
}
