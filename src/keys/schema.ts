import { z } from 'zod';

/** Subject data as it appears in a ledger leaf: ciphertext under that subject's own key. */
export const SealedSubjectSchema = z
  .object({
    ref: z.string().uuid(),
    alg: z.literal('A256GCM'),
    iv: z.string().max(32),
    ct: z.string().max(65536),
  })
  .strict();

export type SealedSubject = z.infer<typeof SealedSubjectSchema>;
