import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeadLetter, DeadLetterQueue } from '../../ports.ts';

/** The local DLQ: one JSON file per message in `<state dir>/dlq/`, oldest first by name. */
export function createFileDeadLetterQueue(directory: string): DeadLetterQueue {
  return {
    async send(message: DeadLetter): Promise<void> {
      await mkdir(directory, { recursive: true });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.json`;
      await writeFile(join(directory, name), `${JSON.stringify(message, null, 2)}\n`);
    },
  };
}
