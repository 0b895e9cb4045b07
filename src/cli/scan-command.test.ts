import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/db.js';
import { registerScanCommand } from './scan-command.js';

const CORPUS = join(import.meta.dirname, '../../test/fixtures/model-files');

/** Runs `evident scan …` on a program holding only the scan command, as program.ts would. */
async function scan(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  let code = 0;
  const program = new Command('evident').exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  registerScanCommand(program, { out: (s) => (out += s), err: (s) => (err += s) }, (c) => (code = c));
  try {
    await program.parseAsync(['scan', ...args], { from: 'user' });
  } catch {
    code = 1;
  }
  return { code, out, err };
}

describe('evident scan', () => {
  it('exit 0 when every file is safe', async () => {
    const r = await scan([join(CORPUS, 'picklescan/data/benign0_v4.pkl'), join(CORPUS, 'picklescan/data2/object_array.npy')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('benign0_v4.pkl: pickle, safe');
    expect(r.out).toContain('object_array.npy: numpy, safe');
  });

  it('exit 2 when something is suspicious and nothing dangerous', async () => {
    const r = await scan([join(CORPUS, 'modelscan/data/password_protected.zip')]);
    expect(r.code).toBe(2);
    expect(r.out).toContain('unscannable-encrypted [test.txt]');
  });

  it('exit 3 when anything is dangerous, with the reason in the output', async () => {
    const r = await scan([join(CORPUS, 'picklescan/data/benign0_v4.pkl'), join(CORPUS, 'picklescan/data/malicious1_v4.pkl')]);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/malicious1_v4\.pkl: pickle, dangerous\n {2}- dangerous pickle-dangerous-global: imports `builtins eval`/u);
  });

  it('--json prints an array of results; directories are walked recursively', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'weights.txt'), Buffer.from('\x80\x04\x8c\x02os\x8c\x06system\x93.', 'latin1'));
    writeFileSync(join(dir, 'notes.md'), '# notes\n');
    const r = await scan([dir, '--json']);
    expect(r.code).toBe(3);
    const results = JSON.parse(r.out) as { path: string; format: string; verdict: string; findings: { rule: string; detail: string }[] }[];
    expect(results.map((x) => [x.path, x.format, x.verdict])).toEqual([
      [join(dir, 'notes.md'), 'unknown', 'safe'],
      [join(dir, 'sub', 'weights.txt'), 'pickle', 'dangerous'],
    ]);
    expect(results[1]!.findings[0]).toMatchObject({ rule: 'pickle-dangerous-global', severity: 'dangerous' });
  });

  it('exit 1 for a missing path (the others are still scanned)', async () => {
    const r = await scan([join(tempDir(), 'missing.pkl'), join(CORPUS, 'picklescan/data/benign0_v0.pkl')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot read .*missing\.pkl: ENOENT/u);
    expect(r.out).toContain('benign0_v0.pkl: pickle, safe');
    expect((await scan([])).code).toBe(1); // usage: no path
  });
});
