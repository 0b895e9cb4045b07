// The `evident` command line. Every command maps AppError codes to the exit codes in errors.ts;
// --json prints machine-readable results (and errors as {"error": …} on stderr).
import { createWriteStream, readFileSync, renameSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join, basename, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Command, CommanderError, Option } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { AppError, EXIT, exitCodeFor, isAppError } from '../errors.js';
import { VERSION, initialize, openRuntime, startServer, writeBootstrapToken } from '../main.js';
import { verifyBundleFile, BundleError } from '../ledger/bundle.js';
import { parseVerifierKey, type NoteVerifier } from '../ledger/note.js';
import type { VerifyReport } from '../ledger/verify.js';
import { systemContext } from '../identity/context.js';
import { registerPolicyCommands } from './policy-commands.js';
import { registerArtifactCommands } from './artifact-commands.js';
import { registerReleaseCommands } from './release-commands.js';
import { registerIncidentCommands } from './incident-commands.js';
import { registerScanCommand } from './scan-command.js';
import { registerRedactCommands } from './redact-commands.js';
import { loadLedgerSigner } from '../setup/keys.js';
import { dataLayout } from '../setup/layout.js';
import { fsyncDir } from '../util/durable-fs.js';
import { pino } from 'pino';

export interface CliIo {
  out(s: string): void;
  err(s: string): void;
  env: NodeJS.ProcessEnv;
  /** Standard input, for commands that read it (redact). */
  stdin?: AsyncIterable<Uint8Array>;
  /** serve waits on this; tests resolve it instead of sending a signal. */
  untilStopped?: Promise<void>;
}

interface Common {
  dataDir?: string;
  config?: string;
  json?: boolean;
}

function configFrom(io: CliIo, o: Common, extra: Record<string, unknown> = {}): Config {
  return loadConfig({ file: o.config, env: io.env, overrides: { ...(o.dataDir ? { dataDir: o.dataDir } : {}), ...extra } });
}

const dataDirOption = () => new Option('--data-dir <dir>', 'data directory (default ./.evident, or EVIDENT_DATA_DIR)');
const configOption = () => new Option('--config <file>', 'YAML configuration file (or EVIDENT_CONFIG)');
const jsonOption = () => new Option('--json', 'print machine-readable JSON');

function quietLogger() {
  return pino({ level: 'silent' });
}

function printReport(io: CliIo, r: VerifyReport & { pending?: number; keysFrom?: string }, json: boolean | undefined): number {
  if (json) {
    io.out(JSON.stringify(r, null, 2) + '\n');
    return r.ok ? EXIT.OK : EXIT.NEGATIVE;
  }
  io.out(`ledger ${r.origin}: ${r.entries} entries, ${r.checkpointsVerified} signed checkpoint(s) verified, latest at size ${r.latestCheckpointSize ?? 'none'}\n`);
  io.out(`root ${r.rootHash}\n`);
  if (r.keysFrom === 'bundle') io.out('note: verified against the key inside the bundle; pass --key to pin the key you trust\n');
  if (r.keysFrom === 'database') io.out('note: no --key and no local signing key: verified against the keys the database lists; pass --key to pin the key you trust\n');
  if (r.pending) io.out(`note: ${r.pending} events await integration (the server integrates them within a second)\n`);
  if (r.ok) {
    io.out('OK: every entry, stored hash and checkpoint verifies\n');
    return EXIT.OK;
  }
  io.out(`FAILED: first bad index ${r.firstBadIndex ?? 'unknown'}${r.firstBadIndexExact ? '' : ' (or later: the earliest index the evidence allows)'}\n`);
  for (const p of r.problems) io.out(`- ${p.kind}${p.index !== undefined ? ` at index ${p.index}` : ''}: ${p.message}\n`);
  return EXIT.NEGATIVE;
}

function localVerifier(config: Config): NoteVerifier | undefined {
  try {
    return loadLedgerSigner(dataLayout(config.dataDir)).verifier;
  } catch {
    return undefined;
  }
}

function readKeys(keys: string[] | undefined, keyFiles: string[] | undefined): NoteVerifier[] {
  const texts = [...(keys ?? []), ...(keyFiles ?? []).flatMap((f) => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()))];
  return texts.map((k) => {
    try {
      return parseVerifierKey(k);
    } catch (e) {
      throw new AppError('BAD_REQUEST', `verifier key ${JSON.stringify(k.slice(0, 60))} is invalid: ${(e as Error).message}`);
    }
  });
}

function readCheckpoints(files: string[] | undefined): string[] {
  return (files ?? []).map((f) => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      throw new AppError('BAD_REQUEST', `cannot read checkpoint file ${f}`);
    }
  });
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('evident')
    .description('Evident: enforce boundaries for AI workloads in regulated industries, and prove what happened.')
    .version(VERSION)
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride();

  program
    .command('init')
    .description('create the data dir, the ledger signing key and a bootstrap admin token (printed once)')
    .addOption(dataDirOption())
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (o: Common) => {
      const config = configFrom(io, o);
      const r = await initialize(config, { logger: quietLogger() });
      if (o.json) {
        io.out(JSON.stringify({ adminToken: r.adminToken, ledgerPublicKey: r.ledgerPublicKey, dataDir: r.dataDir }, null, 2) + '\n');
      } else {
        io.out(`Initialized ${r.dataDir}\nledger ${r.origin}\nledger public key: ${r.ledgerPublicKey}\n`);
        io.out(`bootstrap admin token (shown once; store it in a secret manager):\n${r.adminToken}\n`);
      }
    });

  program
    .command('serve')
    .description('run the control plane (initializes an empty data dir first)')
    .addOption(dataDirOption())
    .addOption(configOption())
    .option('--port <n>', 'port to listen on (default 8080)', (v) => parseIntOption(v, '--port'))
    .option('--host <host>', 'address to listen on (default 127.0.0.1)')
    .action(async (o: Common & { port?: number; host?: string }) => {
      const server: Record<string, unknown> = {};
      if (o.port !== undefined) server.port = o.port;
      if (o.host) server.host = o.host;
      const config = configFrom(io, o, Object.keys(server).length ? { server } : {});
      const init = await initialize(config, { ifNeeded: true, logger: quietLogger() });
      if (init.created && init.adminToken) {
        const path = writeBootstrapToken(config, init.adminToken);
        io.out(`Initialized ${config.dataDir} (ledger ${init.origin})\n`);
        io.out(`Bootstrap admin token written to ${path} (mode 0600): read it, store it safely, then delete the file.\n`);
      }
      const s = await startServer(config);
      io.out(`Evident ${VERSION} listening on ${s.url} (data dir ${config.dataDir}, ${s.runtime.database.dialect}); API reference at ${s.url}/docs\n`);
      await (io.untilStopped ?? untilSignal());
      await s.close();
    });

  const ledger = program.command('ledger').description('verify, export and inspect the tamper-evident ledger');

  ledger
    .command('verify')
    .description('recompute the whole tree and check every checkpoint (exit 0 intact, 3 tampered)')
    .addOption(dataDirOption())
    .addOption(configOption())
    .option('--bundle <file>', 'verify an exported bundle offline, with no database')
    .option('--key <vkey>', 'a verifier key to trust (name+id+key); repeatable', collect)
    .option('--key-file <file>', 'a file of verifier keys, one per line; repeatable', collect)
    .option('--checkpoint <file>', 'a signed checkpoint you kept earlier: the ledger must be consistent with it; repeatable', collect)
    .addOption(jsonOption())
    .action(async (o: Common & { bundle?: string; key?: string[]; keyFile?: string[]; checkpoint?: string[] }) => {
      const trustedCheckpoints = readCheckpoints(o.checkpoint);
      if (o.bundle) {
        const trustedKeys = readKeys(o.key, o.keyFile);
        try {
          setExit(printReport(io, await verifyBundleFile(o.bundle, { trustedKeys, trustedCheckpoints }), o.json));
        } catch (e) {
          if (e instanceof BundleError) throw new AppError('BAD_REQUEST', `${o.bundle}: ${e.message}`);
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('BAD_REQUEST', `bundle ${o.bundle} does not exist`);
          throw e;
        }
        return;
      }
      const config = configFrom(io, o);
      const rt = await openRuntime(config, { readOnly: true, logger: quietLogger() });
      try {
        // Trust comes from outside the database: keys given on the command line, else the local
        // signing key's public half. Keys listed in the database are used only when neither exists.
        let verifiers = readKeys(o.key, o.keyFile);
        let keysFrom = 'pinned';
        if (verifiers.length === 0) {
          const local = localVerifier(config);
          verifiers = local ? [local] : rt.ledger.keys.verifiers;
          keysFrom = local ? 'key-file' : 'database';
        }
        const report = await rt.ledger.verifyStored({ trustedCheckpoints, verifiers });
        setExit(printReport(io, { ...report, keysFrom }, o.json));
      } finally {
        await rt.close();
      }
    });

  ledger
    .command('export')
    .description('write a self-contained bundle (every leaf, every checkpoint, the public key) for offline verification')
    .requiredOption('--out <file>', 'bundle file to write (JSON Lines)')
    .addOption(dataDirOption())
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (o: Common & { out: string }) => {
      const rt = await openRuntime(configFrom(io, o), { readOnly: true, logger: quietLogger() });
      try {
        const out = resolve(o.out);
        const tmp = join(dirname(out), `.${basename(out)}.${randomBytes(4).toString('hex')}.tmp`);
        const stream = createWriteStream(tmp, { mode: 0o640 });
        const write = (chunk: string) =>
          new Promise<void>((res, rej) => {
            stream.write(chunk, (e) => (e ? rej(e) : res()));
          });
        const r = await rt.ledger.exportBundle(write);
        await new Promise<void>((res, rej) => stream.end((e?: Error | null) => (e ? rej(e) : res())));
        const fh = await open(tmp, 'r');
        await fh.sync();
        await fh.close();
        renameSync(tmp, out);
        fsyncDir(dirname(out));
        if (o.json) io.out(JSON.stringify({ out, ...r }) + '\n');
        else io.out(`wrote ${out}: ${r.treeSize} entries, ${r.checkpoints} checkpoints\nverify it anywhere with: evident ledger verify --bundle ${o.out} --key '${rt.ledger.keys.verifiers[0]!.encoded}'\n`);
      } finally {
        await rt.close();
      }
    });

  ledger
    .command('checkpoint')
    .description('print the latest signed checkpoint (keep a copy outside Evident to detect rewrites later)')
    .addOption(dataDirOption())
    .addOption(configOption())
    .action(async (o: Common) => {
      const rt = await openRuntime(configFrom(io, o), { readOnly: true, logger: quietLogger() });
      try {
        io.out(await rt.ledger.latestCheckpoint());
      } finally {
        await rt.close();
      }
    });

  registerPolicyCommands(program, { io, setExit, config: (o) => configFrom(io, o) });
  registerScanCommand(program, io, setExit);
  registerRedactCommands(program, io, setExit);
  registerArtifactCommands(program, { ...io, tty: !!process.stderr.isTTY }, setExit);
  registerReleaseCommands(program, io, setExit);
  registerIncidentCommands(program, io, setExit);

  const token = program.command('token').description('local token operations on the data dir');
  token
    .command('issue')
    .description('break-glass: issue an API token for a principal directly on the data dir (recorded in the ledger)')
    .requiredOption('--principal <name>', 'principal name, e.g. admin')
    .option('--name <name>', 'token name', 'break-glass')
    .option('--expires-in-days <n>', 'lifetime in days (default 1)', (v) => parseIntOption(v, '--expires-in-days'))
    .addOption(dataDirOption())
    .addOption(configOption())
    .addOption(jsonOption())
    .action(async (o: Common & { principal: string; name: string; expiresInDays?: number }) => {
      const config = configFrom(io, o);
      const rt = await openRuntime(config, { logger: quietLogger() });
      try {
        const days = o.expiresInDays ?? 1;
        if (days > config.auth.maxTokenTtlDays) throw new AppError('VALIDATION_FAILED', `--expires-in-days exceeds auth.maxTokenTtlDays (${config.auth.maxTokenTtlDays})`);
        const principal = (await rt.identity.listPrincipals({})).find((p) => p.name === o.principal);
        if (!principal) throw new AppError('NOT_FOUND', `principal ${JSON.stringify(o.principal)} was not found`);
        // Whoever runs this on the data dir holds the token too: recorded as controlled by the CLI.
        const t = await rt.database.transact((tx) => rt.identity.createTokenIn(tx, systemContext('cli:break-glass'), principal.id, o.name, days, 'cli:break-glass'));
        await rt.ledger.integrate();
        if (o.json) io.out(JSON.stringify({ token: t.token, id: t.id, principalId: t.principalId, expiresAt: t.expiresAt }) + '\n');
        else io.out(`${t.token}\n`);
      } finally {
        await rt.close();
      }
    });

  return program;
}

function parseIntOption(v: string, name: string): number {
  if (!/^\d+$/u.test(v)) throw new AppError('BAD_REQUEST', `${name} must be a whole number, got ${JSON.stringify(v)}`);
  return Number(v);
}

function untilSignal(): Promise<void> {
  return new Promise((res) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      res();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

/** Runs the CLI and returns the exit code (never calls process.exit). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let code: number = EXIT.OK;
  const program = buildProgram(io, (c) => (code = c));
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? EXIT.OK : EXIT.ERROR;
    }
    const app = isAppError(e) ? e : new AppError('INTERNAL', (e as Error).message ?? String(e));
    if (json) io.err(JSON.stringify({ error: { code: app.code, message: app.message, details: app.details ?? null } }) + '\n');
    else io.err(`error: ${app.message}\n`);
    return exitCodeFor(app);
  }
}
