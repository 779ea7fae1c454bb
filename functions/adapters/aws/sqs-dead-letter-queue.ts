import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterInbox, DeadLetterQueue, WaitingLetter } from '../../ports.ts';

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

/**
 * Reads the DLQ for operators. SQS has no way to look without receiving, so `list` receives every message
 * (ten at a time, until a receive comes back empty) with a visibility timeout long enough to rerun them; the
 * caller then deletes each message whose rerun started and releases the others (visibility back to 0), so the
 * queue is as it was for anything not redriven. A message received again meanwhile keeps its newest receipt handle.
 */
export function createSqsDeadLetterInbox(
  client: SQSClient,
  queueUrl: string,
  options: { readonly visibilityTimeoutSeconds?: number; readonly maxMessages?: number } = {},
): DeadLetterInbox {
  const handles = new Map<string, string>();
  const maxMessages = options.maxMessages ?? 1000;
  return {
    async list(): Promise<WaitingLetter[]> {
      const letters = new Map<string, WaitingLetter>();
      while (letters.size < maxMessages) {
        const received = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            VisibilityTimeout: options.visibilityTimeoutSeconds ?? 300,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
          }),
        );
        const messages = received.Messages ?? [];
        if (messages.length === 0) break;
        for (const message of messages) {
          if (!message.MessageId || !message.ReceiptHandle) continue;
          handles.set(message.MessageId, message.ReceiptHandle);
          const sent = message.Attributes?.SentTimestamp;
          let letter: WaitingLetter['letter'];
          try {
            letter = JSON.parse(message.Body ?? '') as DeadLetter;
          } catch (error) {
            letter = { unreadable: (error as Error).message };
          }
          letters.set(message.MessageId, {
            id: message.MessageId,
            sentAt: sent ? new Date(Number(sent)) : undefined,
            letter,
          });
        }
      }
      return [...letters.values()].sort(
        (a, b) => (a.sentAt?.getTime() ?? 0) - (b.sentAt?.getTime() ?? 0) || a.id.localeCompare(b.id),
      );
    },

    async delete(letter: WaitingLetter): Promise<void> {
      const handle = handles.get(letter.id);
      if (!handle) throw new Error(`message ${letter.id} was not received by this listing`);
      await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: handle }));
      handles.delete(letter.id);
    },

    async release(letters: readonly WaitingLetter[]): Promise<void> {
      const entries = letters.flatMap((l, i) => {
        const handle = handles.get(l.id);
        return handle ? [{ Id: String(i), ReceiptHandle: handle, VisibilityTimeout: 0 }] : [];
      });
      for (let i = 0; i < entries.length; i += 10) {
        const batch = entries.slice(i, i + 10);
        const result = await client.send(
          new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: batch }),
        );
        // A message that could not be released is not lost: it reappears when its visibility timeout ends.
        if (result.Failed?.length) {
          throw new Error(
            `could not make ${result.Failed.length} DLQ messages visible again (they reappear when their visibility timeout ends): ${result.Failed.map((f) => f.Message ?? f.Code).join('; ')}`,
          );
        }
      }
      for (const letter of letters) handles.delete(letter.id);
    },
  };
}
