import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseExecutionArn } from '../../../functions/adapters/aws/execution-reruns.ts';
import { a360 } from '../../support/cli.ts';

const PREFIX = 'arn:aws:states:eu-west-1:111122223333:stateMachine:a360-';
const execution = (machine: string, name = 'e-1') =>
  `arn:aws:states:eu-west-1:111122223333:execution:a360-${machine}:${name}`;
const ACCOUNT = '444455556666';
const KEY = `data/${ACCOUNT}/2026-11-25_DAILY.json`;

const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);

function exited(id: number, name: string, output: unknown): HistoryEvent {
  return {
    id,
    timestamp: new Date('2026-11-26T06:00:00Z'),
    type: 'TaskStateExited',
    stateExitedEventDetails: { name, output: JSON.stringify(output) },
  };
}

const started = () => sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);

describe('a360 rerun --execution (Step Functions mocked at the request level)', () => {
  beforeEach(() => {
    sfn.reset();
    s3.reset();
    sfn.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => ({
      executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
      startDate: new Date(),
    }));
  });
  afterEach(() => {
    sfn.reset();
    s3.reset();
  });

  it('starts the reruns SettleRun listed for an orchestrate execution, reading the history page by page', async () => {
    const reruns = [
      {
        accountId: ACCOUNT,
        stateMachine: 'collect',
        categories: ['cost', 'kms'],
        input: {
          accountId: ACCOUNT,
          period: 'DAILY',
          date: '2026-11-25',
          categories: ['cost', 'kms'],
          trigger: 'rerun',
        },
      },
      {
        accountId: '777788889999',
        stateMachine: 'load',
        categories: ['waf'],
        input: {
          snapshotKey: 'data/777788889999/2026-11-25_DAILY.json',
          categories: ['waf'],
          trigger: 'rerun',
        },
      },
    ];
    const arn = execution('orchestrate');
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: arn,
      status: 'FAILED',
      input: JSON.stringify({ period: 'DAILY', date: '2026-11-25' }),
      stateMachineArn: `${PREFIX}orchestrate`,
      startDate: new Date(),
    });
    sfn
      .on(GetExecutionHistoryCommand, { executionArn: arn, nextToken: undefined })
      .resolves({ events: [{ id: 9, timestamp: new Date(), type: 'ExecutionFailed' }], nextToken: 'page-2' })
      .on(GetExecutionHistoryCommand, { executionArn: arn, nextToken: 'page-2' })
      .resolves({
        events: [exited(8, 'SettleRun', { reruns, rerunsOmitted: 0, rerunsLocation: 's3://b/k' })],
      });

    const result = await a360(['rerun', '--execution', arn]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(sfn.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input)).toEqual([
      { executionArn: arn, reverseOrder: true, includeExecutionData: true, maxResults: 1000 },
      {
        executionArn: arn,
        reverseOrder: true,
        includeExecutionData: true,
        maxResults: 1000,
        nextToken: 'page-2',
      },
    ]);
    const inputs = started();
    expect(inputs.map((i) => i.stateMachineArn)).toEqual([`${PREFIX}collect`, `${PREFIX}load`]);
    expect(inputs.map((i) => JSON.parse(i.input as string))).toEqual(reruns.map((r) => r.input));
    expect(inputs.every((i) => /^rerun-\d{12}-\d{14}$/.test(i.name as string))).toBe(true);
    expect(result.out).toContain('Started 2 executions');
  });

  it('reads the full list from S3 when SettleRun could not fit it in its output', async () => {
    const arn = execution('orchestrate');
    const all = Array.from({ length: 3 }, (_, i) => ({
      accountId: `10000000000${i}`,
      stateMachine: 'collect',
      categories: ['cost'],
      input: {
        accountId: `10000000000${i}`,
        period: 'DAILY',
        date: '2026-11-25',
        categories: ['cost'],
        trigger: 'rerun',
      },
    }));
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: arn,
      status: 'FAILED',
      input: '{}',
      stateMachineArn: `${PREFIX}orchestrate`,
      startDate: new Date(),
    });
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        exited(8, 'SettleRun', {
          reruns: all.slice(0, 1),
          rerunsOmitted: 2,
          rerunsLocation: 's3://hub-bucket/orchestration/r-1/reruns.json',
        }),
      ],
    });
    s3.on(GetObjectCommand).resolves({
      // Only what the adapter reads of the SDK's stream.
      Body: { transformToString: async () => JSON.stringify(all) } as never,
    });
    const result = await a360(['rerun', '--execution', arn, '--json']);
    expect(result.code).toBe(0);
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'hub-bucket',
      Key: 'orchestration/r-1/reruns.json',
    });
    expect(started().map((i) => JSON.parse(i.input as string).accountId)).toEqual(
      all.map((r) => r.accountId),
    );
  });

  it('reruns what FinalizeLoad reported for a load execution: recollect or reload per category', async () => {
    const arn = execution('load');
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: arn,
      status: 'FAILED',
      input: JSON.stringify({ snapshotKey: KEY, runId: 'r-1', trigger: 'schedule' }),
      stateMachineArn: `${PREFIX}load`,
      startDate: new Date(),
    });
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        exited(20, 'FinalizeLoad', {
          status: 'FAILED',
          snapshotKey: KEY,
          failed: [
            { category: 'cost', phase: 'collect', error: 'SourceAccessError: denied' },
            { category: 'waf', phase: 'load', error: 'DataContractError: bad' },
          ],
        }),
      ],
    });
    const result = await a360(['rerun', '--execution', arn]);
    expect(result.code).toBe(0);
    expect(started()).toEqual([
      {
        stateMachineArn: `${PREFIX}collect`,
        name: expect.stringMatching(/^rerun-444455556666-/),
        input: JSON.stringify({
          accountId: ACCOUNT,
          period: 'DAILY',
          date: '2026-11-25',
          categories: ['cost'],
          trigger: 'rerun',
        }),
      },
      {
        stateMachineArn: `${PREFIX}load`,
        name: expect.stringMatching(/^rerun-444455556666-/),
        input: JSON.stringify({ snapshotKey: KEY, categories: ['waf'], trigger: 'rerun' }),
      },
    ]);
  });

  it('follows a collect execution to the load it started', async () => {
    const collectArn = execution('collect', 'c-1');
    const loadArn = execution('load', 'l-1');
    sfn
      .on(DescribeExecutionCommand, { executionArn: collectArn })
      .resolves({
        executionArn: collectArn,
        status: 'SUCCEEDED',
        input: JSON.stringify({ accountId: ACCOUNT }),
        stateMachineArn: `${PREFIX}collect`,
        startDate: new Date(),
      })
      .on(DescribeExecutionCommand, { executionArn: loadArn })
      .resolves({
        executionArn: loadArn,
        status: 'FAILED',
        input: JSON.stringify({ snapshotKey: KEY }),
        stateMachineArn: `${PREFIX}load`,
        startDate: new Date(),
      });
    sfn
      .on(GetExecutionHistoryCommand, { executionArn: collectArn })
      .resolves({
        events: [
          {
            id: 30,
            timestamp: new Date(),
            type: 'TaskSucceeded',
            taskSucceededEventDetails: {
              resourceType: 'states',
              resource: 'startExecution',
              output: JSON.stringify({ ExecutionArn: loadArn, StartDate: '2026-11-26T06:00:00Z' }),
            },
          },
        ],
      })
      .on(GetExecutionHistoryCommand, { executionArn: loadArn })
      .resolves({
        events: [exited(12, 'FinalizeLoad', { failed: [{ category: 'kms', phase: 'load', error: 'x' }] })],
      });
    const result = await a360(['rerun', '--execution', collectArn, '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.out).toContain(`load    ${ACCOUNT}  kms`);
    expect(started()).toEqual([]);
  });

  it('refuses a running execution and an ARN that is not an a360 execution, starting nothing', async () => {
    const arn = execution('orchestrate');
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: arn,
      status: 'RUNNING',
      input: '{}',
      stateMachineArn: `${PREFIX}orchestrate`,
      startDate: new Date(),
    });
    const running = await a360(['rerun', '--execution', arn]);
    expect(running.code).toBe(1);
    expect(running.err).toContain('is still RUNNING');
    const foreign = await a360([
      'rerun',
      '--execution',
      'arn:aws:states:eu-west-1:111122223333:execution:billing:x',
    ]);
    expect(foreign.code).toBe(1);
    expect(foreign.err).toContain(
      '--execution must be the ARN of an a360 orchestrate, collect or load execution',
    );
    expect(started()).toEqual([]);
  });

  it('parses execution ARNs into the prefix of their state machines', () => {
    expect(parseExecutionArn(execution('collect', 'abc'))).toEqual({
      prefix: PREFIX,
      kind: 'collect',
      machineArn: `${PREFIX}collect`,
    });
    expect(
      parseExecutionArn('arn:aws-cn:states:cn-north-1:111122223333:execution:acme-a360-load:x').prefix,
    ).toBe('arn:aws-cn:states:cn-north-1:111122223333:stateMachine:acme-a360-');
  });
});
