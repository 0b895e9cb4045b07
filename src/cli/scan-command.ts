// `evident scan PATH... [--json]`: scan model files (directories recursively) without executing
// anything. Exit 0 when every file is safe, 2 when something is suspicious and nothing dangerous,
// 3 when anything is dangerous, 1 when a path cannot be read.
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { EXIT } from '../errors.js';
import { scanFile } from '../scan/scan.js';
import type { ScanResult } from '../scan/types.js';

export interface ScanIo {
  out(s: string): void;
  err(s: string): void;
}

/** Files under each path, sorted; symlinks are not followed (no loops, no escaping the tree). */
function collect(paths: string[], io: ScanIo, json: boolean): { files: string[]; ioErrors: number } {
  const files: string[] = [];
  let ioErrors = 0;
  const fail = (p: string, why: string) => {
    ioErrors++;
    io.err(json ? JSON.stringify({ error: { code: 'BAD_REQUEST', message: `cannot read ${p}: ${why}` } }) + '\n' : `error: cannot read ${p}: ${why}\n`);
  };
  const visit = (p: string) => {
    let st;
    try {
      st = lstatSync(p);
    } catch (e) {
      fail(p, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
      return;
    }
    if (st.isDirectory()) {
      let names: string[];
      try {
        names = readdirSync(p).sort();
      } catch (e) {
        fail(p, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
        return;
      }
      for (const n of names) visit(join(p, n));
    } else if (st.isFile()) files.push(p);
  };
  for (const p of paths) visit(p);
  return { files, ioErrors };
}

function printText(io: ScanIo, r: ScanResult): void {
  io.out(`${r.path}: ${r.format}, ${r.verdict}\n`);
  for (const f of r.findings) io.out(`  - ${f.severity} ${f.rule}${f.member !== undefined ? ` [${f.member}]` : ''}: ${f.detail}\n`);
}

/** Scans the paths, prints one result per file, and returns the exit code. */
export async function runScan(paths: string[], opts: { json?: boolean }, io: ScanIo): Promise<number> {
  const json = opts.json === true;
  const { files, ioErrors } = collect(paths, io, json);
  const results: ScanResult[] = [];
  let readErrors = 0;
  for (const file of files) {
    try {
      const r = await scanFile(file);
      results.push(r);
      if (!json) printText(io, r);
    } catch (e) {
      readErrors++;
      io.err(json ? JSON.stringify({ error: { code: 'BAD_REQUEST', message: (e as Error).message } }) + '\n' : `error: ${(e as Error).message}\n`);
    }
  }
  if (json) {
    io.out(JSON.stringify(results.map((r) => ({ path: r.path, format: r.format, verdict: r.verdict, findings: r.findings, ...(r.extracted ? { extracted: r.extracted } : {}) })), null, 2) + '\n');
  } else if (results.length > 1) {
    const count = (v: string) => results.filter((r) => r.verdict === v).length;
    io.out(`${results.length} files: ${count('dangerous')} dangerous, ${count('suspicious')} suspicious, ${count('safe')} safe\n`);
  }
  if (ioErrors + readErrors > 0) return EXIT.ERROR;
  if (results.some((r) => r.verdict === 'dangerous')) return EXIT.NEGATIVE;
  if (results.some((r) => r.verdict === 'suspicious')) return EXIT.WARNING;
  return EXIT.OK;
}

/**
 * Adds `scan` to the program. The exit code goes to `setExit` (program.ts passes its own), so the
 * command never calls process.exit.
 */
export function registerScanCommand(program: Command, io: ScanIo, setExit: (code: number) => void = () => {}): void {
  program
    .command('scan')
    .description('scan model files (pickle, PyTorch, NumPy, zip, 7z, safetensors, GGUF, Keras/HDF5) without executing them; exit 0 safe, 2 suspicious, 3 dangerous, 1 unreadable path')
    .argument('<paths...>', 'files or directories (walked recursively; formats are detected by content)')
    .option('--json', 'print a JSON array of { path, format, verdict, findings }')
    .action(async (paths: string[], o: { json?: boolean }) => {
      setExit(await runScan(paths, o, io));
    });
}
