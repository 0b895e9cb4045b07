// Parses service input with a zod schema: on failure, one VALIDATION_FAILED naming every field at fault.
import type { z } from 'zod';
import { AppError } from '../errors.js';

export function parseInput<T extends z.ZodType>(schema: T, input: unknown, what: string): z.infer<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw new AppError('VALIDATION_FAILED', `${what} is invalid: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}
