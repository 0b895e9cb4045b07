// What an insider with write access to the SQLite database (but not the signing key) can do:
// rewrite a leaf and every hash derived from it so that the database is self-consistent.
import BetterSqlite3 from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { MerkleFrontier, leafHash } from '../../src/ledger/merkle.js';
import { signCheckpoint } from '../../src/ledger/checkpoint.js';
import { signerFromSeed } from '../../src/ledger/note.js';

export function rewriteHistory(dataDir: string, opts: { editIndex: number; checkpoints: 'delete' | 'forge' }): void {
  const db = new BetterSqlite3(join(dataDir, 'evident.db'));
  try {
    const rows = db.prepare('select seq, leaf from ledger_entries where seq is not null order by seq').all() as { seq: number; leaf: Buffer }[];
    const edited = Buffer.from(rows[opts.editIndex]!.leaf.toString('utf8').replace('"allowed"', '"denied"'));
    db.prepare('update ledger_entries set leaf = ?, leaf_hash = ? where seq = ?').run(edited, leafHash(edited), opts.editIndex);
    rows[opts.editIndex]!.leaf = edited;
    db.prepare('delete from ledger_nodes').run();
    const f = new MerkleFrontier();
    const insertNode = db.prepare('insert into ledger_nodes (level, idx, hash) values (?, ?, ?)');
    for (const r of rows) f.append(leafHash(r.leaf), (level, idx, hash) => insertNode.run(level, idx, hash));
    db.prepare('update ledger_state set size = ?, frontier = ?, root = ? where id = 1').run(f.size, f.serialize(), f.root());
    const origin = (db.prepare("select value from evident_meta where key = 'origin'").get() as { value: string }).value;
    db.prepare('delete from ledger_checkpoints').run();
    if (opts.checkpoints === 'forge') {
      const forger = signerFromSeed(origin, randomBytes(32));
      const keys = JSON.parse((db.prepare("select value from evident_meta where key = 'verifier_keys'").get() as { value: string }).value) as string[];
      db.prepare("update evident_meta set value = ? where key = 'verifier_keys'").run(JSON.stringify([...keys, forger.verifier.encoded]));
      const note = signCheckpoint({ origin, size: f.size, root: f.root(), extensions: [] }, forger);
      db.prepare('insert into ledger_checkpoints (size, root, note, created_at) values (?, ?, ?, ?)').run(f.size, f.root(), note, new Date().toISOString());
    }
  } finally {
    db.close();
  }
}
