import type { z } from 'zod';
import { InvalidInputError } from '../platform/errors.ts';
import { formatIssues } from '../snapshot/snapshot.ts';

/** Validates a use case's input, naming every wrong field in one InvalidInputError. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success)
    throw new InvalidInputError(`invalid ${what} input: ${formatIssues(parsed.error.issues)}`);
  return parsed.data;
}
