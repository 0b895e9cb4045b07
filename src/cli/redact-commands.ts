// `evident redact` (stdin → redacted text or spans) and `evident logs scan` (a leak check for log
// files: where personal data appears, never what it is).
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { constants } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { AppError, EXIT } from '../errors.js';
import { readBounded } from '../util/read-bounded.js';
import { redact, decodeUtf8Strict, InvalidUtf8Error } from '../redact/redact.js';
import { detect, MAX_TEXT_CHARS } from '../redact/detect.js';
import { OPERATORS, type Operator } from '../redact/operators.js';
import { ENTITY_TYPES, type EntityType, type Span } from '../redact/types.js';

interface Io {
  out(s: string): void;
  err(s: string): void;
  env: NodeJS.ProcessEnv;
  stdin?: AsyncIterable<Uint8Array>;
}

const MAX_STDIN_BYTES = 64 * 1024 * 1024;
/** Findings below this score (capitalised words with no name evidence) are not reported in logs. */
const LOG_MIN_SCORE = 0.6;

async function readStdin(io: Io): Promise<string> {
  if (!io.stdin) throw new AppError('BAD_REQUEST', 'pipe the text to redact into standard input');
  const bytes = await readBounded(io.stdin, MAX_STDIN_BYTES, () => new AppError('PAYLOAD_TOO_LARGE', `standard input is over ${MAX_STDIN_BYTES} bytes; redact it in parts`));
  try {
    return decodeUtf8Strict(bytes);
  } catch (e) {
    if (e instanceof InvalidUtf8Error) throw new AppError('VALIDATION_FAILED', e.message);
    throw e;
  }
}

function parseTypes(v: string | undefined): EntityType[] | undefined {
  if (!v) return undefined;
  const types = v.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  const bad = types.filter((t) => !(ENTITY_TYPES as readonly string[]).includes(t));
  if (bad.length) throw new AppError('BAD_REQUEST', `unknown type(s) ${bad.join(', ')}; known: ${ENTITY_TYPES.join(', ')}`);
  return types as EntityType[];
}

/**
 * What a log line may carry: infrastructure addresses (loopback, unspecified) identify no person,
 * and plain dates are the timestamps every log line has. Dates of birth and ages still count.
 */
function isInfrastructure(text: string, s: Span): boolean {
  if (s.type === 'DATE') return true;
  // Log lines are machine text (stack traces, identifiers): only confident findings count.
  if (s.score < LOG_MIN_SCORE) return true;
  const v = text.slice(s.start, s.end).toLowerCase();
  if (s.type === 'IP_ADDRESS') return /^(127\.|0\.0\.0\.0$|::1$|::$|::ffff:127\.)/u.test(v);
  if (s.type === 'URL') return /^(https?:\/\/)?(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/u.test(v);
  return false;
}

export interface LogFinding {
  line: number;
  column: number;
  type: EntityType;
  validator: string;
  score: number;
}

/** Scans a log file line by line; findings say where and what kind, never the value. */
export async function scanLogFile(path: string): Promise<LogFinding[]> {
  const findings: LogFinding[] = [];
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line++;
    if (text.length > MAX_TEXT_CHARS) throw new AppError('PAYLOAD_TOO_LARGE', `${path}:${line} is longer than ${MAX_TEXT_CHARS} characters`);
    for (const s of detect(text)) {
      if (!isInfrastructure(text, s)) findings.push({ line, column: s.start + 1, type: s.type, validator: s.validator, score: s.score });
    }
  }
  return findings;
}

export function registerRedactCommands(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('redact')
    .description('redact personal data, PHI and card data from standard input')
    .option('--json', 'print { "text": redacted, "spans": [...] } with spans over the original input')
    .option('--types <list>', `only these types (comma-separated): ${ENTITY_TYPES.join(', ')}`)
    .option('--operator <op>', `how to replace: ${OPERATORS.join(', ')} (default: tag; cards keep their last four)`)
    .option('--key-env <name>', 'environment variable holding the pseudonym key (hex or base64, at least 16 bytes)', 'EVIDENT_REDACT_KEY')
    .action(async (o: { json?: boolean; types?: string; operator?: string; keyEnv: string }) => {
      const types = parseTypes(o.types);
      if (o.operator && !(OPERATORS as readonly string[]).includes(o.operator)) throw new AppError('BAD_REQUEST', `--operator must be one of ${OPERATORS.join(', ')}`);
      const op = o.operator as Operator | undefined;
      let key: Buffer | undefined;
      if (op === 'pseudonym') {
        const raw = io.env[o.keyEnv];
        if (!raw) throw new AppError('BAD_REQUEST', `the pseudonym operator needs a per-tenant key in $${o.keyEnv}`);
        key = /^[0-9a-f]+$/iu.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
        if (key.length < 16) throw new AppError('BAD_REQUEST', `$${o.keyEnv} must hold at least 16 bytes of key`);
      }
      const text = await readStdin(io);
      const r = redact(text, { ...(types ? { types } : {}), ...(op ? { policy: { default: op, perType: op === 'tag' ? { CREDIT_CARD: 'last4' } : {} } } : {}), ...(key ? { key } : {}) });
      if (o.json) io.out(JSON.stringify({ text: r.text, spans: r.spans }) + '\n');
      else io.out(r.text);
      setExit(EXIT.OK);
    });

  const logs = program.command('logs').description('log hygiene');
  logs
    .command('scan')
    .description('find personal data in log files (prints where and what kind, never the value); exit 3 when any is found')
    .argument('<files...>')
    .option('--json', 'print the findings as JSON')
    .action(async (files: string[], o: { json?: boolean }) => {
      const all: (LogFinding & { file: string })[] = [];
      for (const f of files) {
        try {
          await access(f, constants.R_OK);
        } catch {
          throw new AppError('BAD_REQUEST', `cannot read ${f}`);
        }
        for (const x of await scanLogFile(f)) all.push({ file: f, ...x });
      }
      if (o.json) io.out(JSON.stringify(all, null, 2) + '\n');
      else {
        for (const x of all) io.out(`${x.file}:${x.line}:${x.column}: ${x.type} (${x.validator}, score ${x.score})\n`);
        io.out(all.length ? `${all.length} finding(s)\n` : 'no personal data found\n');
      }
      setExit(all.length ? EXIT.NEGATIVE : EXIT.OK);
    });
}
