import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { REGISTRY } from '../../../functions/collectors/registry.ts';
import { a360 } from '../../support/cli.ts';

const ORCHESTRATE = 'arn:aws:states:eu-west-1:111122223333:stateMachine:a360-orchestrate';
const sfn = mockClient(SFNClient);

describe('a360 backfill --orchestrate (Step Functions mocked at the request level)', () => {
  afterEach(() => sfn.reset());

  it('starts the hub orchestrate once per month, oldest first, with only the categories that have history', async () => {
    sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
      executionArn: `arn:aws:states:eu-west-1:111122223333:execution:a360-orchestrate:${input.name}`,
      startDate: new Date(),
    }));
    const result = await a360([
      'backfill',
      '--from',
      '2026-08-15',
      '--to',
      '2026-10-02',
      '--period',
      'MONTHLY',
      '--orchestrate',
      ORCHESTRATE,
      '--categories',
      'cost,kms,service-usage',
      '--accounts',
      '444455556666',
    ]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const calls = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.stateMachineArn)).toEqual([ORCHESTRATE, ORCHESTRATE, ORCHESTRATE]);
    const inputs = calls.map((c) => JSON.parse(c.input as string) as Record<string, unknown>);
    expect(inputs.map(({ runId: _runId, ...rest }) => rest)).toEqual(
      ['2026-08-01', '2026-09-01', '2026-10-01'].map((date) => ({
        period: 'MONTHLY',
        date,
        trigger: 'backfill',
        categories: ['cost', 'service-usage'],
        accounts: ['444455556666'],
      })),
    );
    expect(calls.map((c) => c.name)).toEqual(inputs.map((i) => i.runId));
    expect(result.out).toContain('Not backfilled (only current state; a360 run collects them): kms');
    expect(result.out).toContain('Started 3 orchestrate executions');
  });

  it('refuses an ARN that is not an orchestrate state machine, and --orchestrate with a local source', async () => {
    const wrong = await a360([
      'backfill',
      '--from',
      '2026-10-01',
      '--to',
      '2026-10-02',
      '--orchestrate',
      'arn:aws:states:eu-west-1:111122223333:stateMachine:a360-load',
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain("--orchestrate must be the ARN of the hub's orchestrate state machine");
    const both = await a360([
      'backfill',
      '--from',
      '2026-10-01',
      '--to',
      '2026-10-02',
      '--orchestrate',
      ORCHESTRATE,
      '--sample',
    ]);
    expect(both.code).toBe(1);
    expect(both.err).toContain('choose one');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('marks exactly the categories whose APIs answer for past windows', () => {
    expect(REGISTRY.filter((c) => c.collector.history === 'window').map((c) => c.collector.id)).toEqual([
      'cost',
      'service-usage',
      'reservations',
      'security-hub',
      'guardduty',
      'inspector',
      'cloudtrail',
      'marketplace',
      'health',
      'support-cases',
    ]);
  });
});
