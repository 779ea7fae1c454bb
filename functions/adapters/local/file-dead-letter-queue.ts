import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeadLetter, DeadLetterInbox, DeadLetterQueue, WaitingLetter } from '../../ports.ts';

/** The local DLQ: one JSON file per message in `<state dir>/dlq/`, oldest first by name. */
export function createFileDeadLetterQueue(directory: string): DeadLetterQueue & DeadLetterInbox {
  return {
    async send(message: DeadLetter): Promise<void> {
      await mkdir(directory, { recursive: true });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.json`;
      await writeFile(join(directory, name), `${JSON.stringify(message, null, 2)}\n`);
    },

    async list(): Promise<WaitingLetter[]> {
      const names = await readdir(directory).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [] as string[];
        throw error;
      });
      const letters: WaitingLetter[] = [];
      for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
        const path = join(directory, name);
        const id = name.slice(0, -'.json'.length);
        const sentAt = (await stat(path)).mtime;
        try {
          letters.push({ id, sentAt, letter: JSON.parse(await readFile(path, 'utf8')) as DeadLetter });
        } catch (error) {
          letters.push({ id, sentAt, letter: { unreadable: (error as Error).message } });
        }
      }
      return letters;
    },

    async delete(letter: WaitingLetter): Promise<void> {
      await rm(join(directory, `${letter.id}.json`));
    },

    // Files are never out of view: nothing to give back.
    async release(): Promise<void> {},
  };
}
