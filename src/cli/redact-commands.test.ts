import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../../test/helpers/cli.js';
import { runCli } from './program.js';
import { tempDir } from '../../test/helpers/db.js';

async function withStdin(args: string[], input: Buffer | string, env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  const stdin = (async function* () {
    yield Buffer.from(input);
  })();
  const code = await runCli(args, { out: (s) => (out += s), err: (s) => (err += s), env, stdin });
  return { code, out, err };
}

const NOTE = 'Patient Jane Roe (MRN 00482913), DOB 03/14/1961, card 4111 1111 1111 1111 cvv 123, jane.roe@example.com';

describe('evident redact', () => {
  it('prints the redacted text, cards kept to their last four', async () => {
    const r = await withStdin(['redact'], NOTE);
    expect(r.code).toBe(0);
    expect(r.out).toBe('Patient [PERSON] (MRN [MEDICAL_RECORD]), DOB [DATE_OF_BIRTH], card **** **** **** 1111 cvv [CVV], [EMAIL]');
  });

  it('prints spans over the original input with --json', async () => {
    const r = await withStdin(['redact', '--json'], NOTE);
    const j = JSON.parse(r.out) as { text: string; spans: { start: number; end: number; type: string }[] };
    const email = j.spans.find((s) => s.type === 'EMAIL')!;
    expect(NOTE.slice(email.start, email.end)).toBe('jane.roe@example.com');
    expect(j.spans.map((s) => s.type)).toEqual(['PERSON', 'MEDICAL_RECORD', 'DATE_OF_BIRTH', 'CREDIT_CARD', 'CVV', 'EMAIL']);
  });

  it('gives stable keyed pseudonyms, and refuses without a key, with bad types or invalid UTF-8', async () => {
    const env = { EVIDENT_REDACT_KEY: '00112233445566778899aabbccddeeff' };
    const a = await withStdin(['redact', '--operator', 'pseudonym'], 'mail jane.roe@example.com', env);
    const b = await withStdin(['redact', '--operator', 'pseudonym'], 'write to JANE.ROE@example.com', env);
    const token = /<EMAIL_[0-9a-f]{12}>/u.exec(a.out)![0];
    expect(b.out).toContain(token);
    expect((await withStdin(['redact', '--operator', 'pseudonym'], 'x')).code).toBe(1);
    expect((await withStdin(['redact', '--types', 'EMAIL,SHOE_SIZE'], 'x')).err).toMatch(/SHOE_SIZE/u);
    const bad = await withStdin(['redact'], Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/not valid UTF-8 \(first invalid byte at offset 3\)/u);
  });
});

describe('evident logs scan', () => {
  it('passes our own kind of log lines and finds personal data by line and column, never printing it', async () => {
    const dir = tempDir();
    const clean = join(dir, 'clean.log');
    writeFileSync(
      clean,
      [
        '{"level":30,"time":"2026-11-24T06:08:08.906Z","service":"evident","msg":"Server listening at http://127.0.0.1:18089"}',
        '{"level":30,"time":"2026-11-24T06:08:09.001Z","requestId":"01a20c48-c094-793e-aa50-2f817b1d0409","method":"GET","route":"/v2/token","status":200,"ms":5,"principal":"01a20c48-c094-793e-aa50-2f817b1d0409","msg":"request"}',
        '{"level":50,"err":{"message":"ledger storage failure","stack":"SqliteError: ledger storage failure\\n    at AppError (file:///app/dist/db.js:1:1)"},"msg":"request failed"}',
      ].join('\n') + '\n',
    );
    const ok = await cli(['logs', 'scan', clean]);
    expect(ok.out).toBe('no personal data found\n');
    expect(ok.code).toBe(0);

    const leaky = join(dir, 'leaky.log');
    writeFileSync(leaky, '{"msg":"ok"}\n{"msg":"sent reset link to jane.roe@example.com"}\n');
    const found = await cli(['logs', 'scan', leaky, '--json']);
    expect(found.code).toBe(3);
    expect(JSON.parse(found.out)).toEqual([expect.objectContaining({ line: 2, column: 28, type: 'EMAIL' })]);
    expect(found.out).not.toContain('jane');
    expect((await cli(['logs', 'scan', join(dir, 'missing.log')])).code).toBe(1);
  });
});
