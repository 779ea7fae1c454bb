import { readFileSync } from 'node:fs';
import { aws_logs as logs, RemovalPolicy, aws_stepfunctions as sfn } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import {
  placeholdersOf,
  type StateMachineName,
  stateMachinePath,
} from '../../functions/platform/state-machines.ts';

export interface AslStateMachineProps {
  readonly file: StateMachineName;
  readonly stateMachineName: string;
  /** A value for every `${Placeholder}` of the file: ARNs and names only. */
  readonly substitutions: Readonly<Record<string, string>>;
}

/**
 * A state machine from `statemachines/<file>.asl.json`, the same file the local runner executes. Synth fails
 * when a placeholder has no value or a value has no placeholder. The definition is inlined (not an S3 asset)
 * so tests can read it. Logs ALL events, with execution data, and traces with X-Ray.
 */
export class AslStateMachine extends sfn.StateMachine {
  constructor(scope: Construct, id: string, props: AslStateMachineProps) {
    const text = readFileSync(stateMachinePath(props.file), 'utf8');
    const placeholders = placeholdersOf(text);
    const missing = placeholders.filter((p) => props.substitutions[p] === undefined);
    const unused = Object.keys(props.substitutions).filter((k) => !placeholders.includes(k));
    if (missing.length > 0 || unused.length > 0) {
      throw new Error(
        `${props.file}.asl.json: ${missing.length ? `no value for ${missing.join(', ')}` : ''}${
          missing.length && unused.length ? '; ' : ''
        }${unused.length ? `no placeholder for ${unused.join(', ')}` : ''}`,
      );
    }
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      stateMachineName: props.stateMachineName,
      definitionBody: sfn.DefinitionBody.fromString(text),
      definitionSubstitutions: { ...props.substitutions },
      stateMachineType: sfn.StateMachineType.STANDARD,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
  }
}
