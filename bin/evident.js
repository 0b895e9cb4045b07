#!/usr/bin/env node
// Entry point of the `evident` command; the compiled code lives in dist/ (built by `npm ci`).
import { runCli } from '../dist/cli/program.js';

const code = await runCli(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  env: process.env,
  stdin: process.stdin,
});
process.exitCode = code;
