import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterQueue } from '../../ports.ts';

/** The hub's DLQ: one message per failed slice; attributes let operators filter without parsing bodies. */
export function createSqsDeadLetterQueue(client: SQSClient, queueUrl: string): DeadLetterQueue {
  return {
    async send(message: DeadLetter): Promise<void> {
      await client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify(message),
          MessageAttributes: {
            accountId: { DataType: 'String', StringValue: message.accountId },
            category: { DataType: 'String', StringValue: message.category },
            phase: { DataType: 'String', StringValue: message.phase },
            runId: { DataType: 'String', StringValue: message.runId },
          },
        }),
      );
    },
  };
}
