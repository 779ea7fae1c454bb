/**
 * Ports: what the core needs from the outside world. No AWS SDK or driver type crosses this line; adapters in
 * `adapters/aws` and `adapters/local` implement them.
 */

/** Object storage for snapshots and staging parts (S3 in AWS, a local S3 server on 127.0.0.1 otherwise). */
export interface BlobStore {
  /** Where this store lives, for messages (`s3://bucket`). */
  readonly location: string;
  put(key: string, body: string, contentType?: string): Promise<void>;
  /** The object's text, or `undefined` when there is no such key. */
  get(key: string): Promise<string | undefined>;
  /** Every key under the prefix, in key order, across all pages. */
  list(prefix: string): Promise<string[]>;
  /** Copies then deletes, so a failure leaves the source in place. */
  move(fromKey: string, toKey: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** A value bound to a `:name` parameter. Tagged values carry the type the Data API needs as a hint. */
export type SqlParam =
  | string
  | number
  | boolean
  | null
  | Date
  | { readonly kind: 'json'; readonly text: string }
  | { readonly kind: 'decimal'; readonly value: string }
  | { readonly kind: 'date'; readonly value: string };

export type SqlParams = Readonly<Record<string, SqlParam>>;

/**
 * Result values are normalised the same way by every adapter: numeric as string (exact), integers and floats
 * as number, bigint as number, boolean, text, date as `YYYY-MM-DD`, timestamps as Date, json/jsonb parsed.
 */
export type SqlRow = Record<string, unknown>;

/**
 * PostgreSQL with `:name` parameters (the RDS Data API's own syntax). One statement per call: the Data API's
 * ExecuteStatement runs exactly one.
 */
export interface Sql {
  /** Which backend this is, for messages and for choosing a faster path where it exists. */
  readonly backend: 'pglite' | 'postgres' | 'data-api';
  query<T extends SqlRow = SqlRow>(text: string, params?: SqlParams): Promise<T[]>;
  /** Runs a statement and returns how many rows it changed. */
  execute(text: string, params?: SqlParams): Promise<number>;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const sqlJson = (value: unknown): SqlParam => ({ kind: 'json', text: JSON.stringify(value) });
/** JSON already serialised (large row sets are serialised once, while chunking). */
export const sqlJsonText = (text: string): SqlParam => ({ kind: 'json', text });
export const sqlDecimal = (value: string | number): SqlParam => ({ kind: 'decimal', value: String(value) });
export const sqlDate = (value: string): SqlParam => ({ kind: 'date', value });

/** The time, injectable so tests and backfills are deterministic. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A message for the operators: a failed account x category slice and the input that reruns it. */
export interface DeadLetter {
  readonly runId: string;
  readonly accountId: string;
  readonly category: string;
  readonly phase: 'collect' | 'load';
  readonly snapshotKey: string;
  readonly error: { readonly name: string; readonly message: string };
  /** Which state machine to start, with exactly this input, to rerun the slice. */
  readonly rerun: { readonly stateMachine: 'collect' | 'load'; readonly input: Record<string, unknown> };
}

export interface DeadLetterQueue {
  send(message: DeadLetter): Promise<void>;
}

/** A dead letter waiting in the queue, as an operator sees it. */
export interface WaitingLetter {
  /** The file name locally, the SQS MessageId in AWS. */
  readonly id: string;
  readonly sentAt: Date | undefined;
  /** The message, or why it could not be read (it is listed, never redriven). */
  readonly letter: DeadLetter | { readonly unreadable: string };
}

/**
 * The operators' side of the DLQ. `list` takes every waiting letter out of view (SQS: received with a visibility
 * timeout); each must then be deleted (its rerun started) or released (visible again at once).
 */
export interface DeadLetterInbox {
  list(): Promise<WaitingLetter[]>;
  delete(letter: WaitingLetter): Promise<void>;
  release(letters: readonly WaitingLetter[]): Promise<void>;
}

/** Structured logging (Powertools Logger in Lambda, the same logger locally). */
export interface Log {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Per-category measurements (Powertools Metrics in Lambda: EMF with the dimension Category). */
export interface MetricsSink {
  record(category: string, values: Readonly<Record<string, number>>): void;
}

/** An account as AWS Organizations describes it. */
export interface DirectoryAccount {
  readonly id: string;
  readonly name: string;
  readonly email: string | null;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED... */
  readonly state: string;
}

/** Where `orchestrate` finds the accounts to collect (AWS Organizations in the hub). */
export interface AccountDirectory {
  /** Every account of the organization, or of these OUs and the OUs below them. */
  list(organizationalUnits: readonly string[]): Promise<DirectoryAccount[]>;
  /** The account's tags in AWS Organizations (key to value). */
  tags(accountId: string): Promise<Record<string, string>>;
}
