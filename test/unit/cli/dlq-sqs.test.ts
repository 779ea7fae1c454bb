import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../../functions/ports.ts';
import { a360 } from '../../support/cli.ts';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/111122223333/a360-dead-letters';
const PREFIX = 'arn:aws:states:eu-west-1:111122223333:stateMachine:a360-';
const ACCOUNT = '444455556666';

const sqs = mockClient(SQSClient);
const sfn = mockClient(SFNClient);

function letter(category: string, phase: 'collect' | 'load'): DeadLetter {
  const snapshotKey = `data/${ACCOUNT}/2026-11-25_DAILY.json`;
  return {
    runId: 'r-1',
    accountId: ACCOUNT,
    category,
    phase,
    snapshotKey,
    error: { name: 'SourceAccessError', message: `${category} denied` },
    rerun:
      phase === 'collect'
        ? {
            stateMachine: 'collect',
            input: {
              accountId: ACCOUNT,
              period: 'DAILY',
              date: '2026-11-25',
              categories: [category],
              trigger: 'rerun',
            },
          }
        : { stateMachine: 'load', input: { snapshotKey, categories: [category], trigger: 'rerun' } },
  };
}

const messages = [
  {
    MessageId: 'm-1',
    ReceiptHandle: 'h-1',
    Body: JSON.stringify(letter('cost', 'collect')),
    Attributes: { SentTimestamp: '1764050000000' },
  },
  {
    MessageId: 'm-2',
    ReceiptHandle: 'h-2',
    Body: JSON.stringify(letter('kms', 'collect')),
    Attributes: { SentTimestamp: '1764050001000' },
  },
  {
    MessageId: 'm-3',
    ReceiptHandle: 'h-3',
    Body: JSON.stringify(letter('waf', 'load')),
    Attributes: { SentTimestamp: '1764050002000' },
  },
  {
    MessageId: 'm-4',
    ReceiptHandle: 'h-4',
    Body: 'not json',
    Attributes: { SentTimestamp: '1764050003000' },
  },
];

const received = () => sqs.commandCalls(ReceiveMessageCommand).map((c) => c.args[0].input);
const deleted = () => sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input);
const released = () =>
  sqs.commandCalls(ChangeMessageVisibilityBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);

describe('a360 dlq against SQS (mocked at the request level)', () => {
  beforeEach(() => {
    sqs.reset();
    sfn.reset();
    // Ten at most per receive: two pages, then an empty receive ends the listing.
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: messages.slice(0, 2) })
      .resolvesOnce({ Messages: messages.slice(2) })
      .resolves({ Messages: [] });
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
    sqs.on(DeleteMessageCommand).resolves({});
    sfn.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => ({
      executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
      startDate: new Date(),
    }));
  });
  afterEach(() => {
    sqs.reset();
    sfn.reset();
  });

  it('lists every message, receiving until the queue answers empty, and makes them visible again', async () => {
    const result = await a360(['dlq', 'list', '--queue-url', QUEUE, '--json']);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(received()[0]).toEqual({
      QueueUrl: QUEUE,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 300,
      WaitTimeSeconds: 1,
      MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
    });
    expect(received()).toHaveLength(3);
    const listed = JSON.parse(result.out) as Array<{ id: string; letter: Record<string, unknown> }>;
    expect(listed.map((l) => l.id)).toEqual(['m-1', 'm-2', 'm-3', 'm-4']);
    expect(listed[3]?.letter).toHaveProperty('unreadable');
    expect(released()).toEqual(
      ['h-1', 'h-2', 'h-3', 'h-4'].map((handle, i) => ({
        Id: String(i),
        ReceiptHandle: handle,
        VisibilityTimeout: 0,
      })),
    );
    expect(deleted()).toEqual([]);
  });

  it('redrives: one execution per snapshot and state machine, each message deleted only after its rerun started', async () => {
    const result = await a360(['dlq', 'redrive', '--queue-url', QUEUE]);
    expect(result.code).toBe(0);
    const starts = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(starts.map((s) => [s.stateMachineArn, JSON.parse(s.input as string)])).toEqual([
      [
        `${PREFIX}collect`,
        {
          accountId: ACCOUNT,
          period: 'DAILY',
          date: '2026-11-25',
          categories: ['cost', 'kms'],
          trigger: 'rerun',
        },
      ],
      [
        `${PREFIX}load`,
        { snapshotKey: `data/${ACCOUNT}/2026-11-25_DAILY.json`, categories: ['waf'], trigger: 'rerun' },
      ],
    ]);
    expect(deleted()).toEqual(
      ['h-1', 'h-2', 'h-3'].map((ReceiptHandle) => ({ QueueUrl: QUEUE, ReceiptHandle })),
    );
    // The unreadable message is given back, not deleted.
    expect(released().map((e) => e.ReceiptHandle)).toEqual(['h-4']);
  });

  it('keeps the messages whose rerun could not start, and exits 2', async () => {
    sfn.on(StartExecutionCommand, { stateMachineArn: `${PREFIX}collect` }).rejects(
      Object.assign(new Error('User is not authorized to perform states:StartExecution'), {
        name: 'AccessDeniedException',
      }),
    );
    const result = await a360(['dlq', 'redrive', '--queue-url', QUEUE, '--id', 'm-1,m-3']);
    expect(result.code).toBe(2);
    expect(result.out).toContain('AccessDeniedException');
    expect(deleted()).toEqual([{ QueueUrl: QUEUE, ReceiptHandle: 'h-3' }]);
    expect(
      released()
        .map((e) => e.ReceiptHandle)
        .sort(),
    ).toEqual(['h-1', 'h-2', 'h-4']);
  });

  it('refuses a queue URL that is not the hub dead-letter queue', async () => {
    const result = await a360([
      'dlq',
      'list',
      '--queue-url',
      'https://sqs.eu-west-1.amazonaws.com/111122223333/other',
    ]);
    expect(result.code).toBe(1);
    expect(result.err).toContain('--queue-url must be the hub');
    expect(received()).toEqual([]);
  });
});
