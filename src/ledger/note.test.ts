import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeSignerKey, keyIdFor, openNote, parseSignerKey, parseVerifierKey, signNote, signerFromSeed } from './note.js';
import { openCheckpoint, parseCheckpointBody, signCheckpoint } from './checkpoint.js';

const TLOG = join(import.meta.dirname, '../../test/fixtures/tlog');
const read = (p: string) => readFileSync(join(TLOG, p), 'utf8');

describe('C2SP signed notes (spec example and golang.org/x/mod/sumdb/note vectors)', () => {
  it('the C2SP example verifies under its key', () => {
    const v = parseVerifierKey(read('signed-note/c2sp-example.vkey'));
    const opened = openNote(read('signed-note/c2sp-example.note'), [v]);
    expect(opened.text).toBe('This is an example message.\n');
    expect(opened.verifiedBy).toEqual(['example.com/foo']);
  });

  it('key ids are SHA-256(name || "\\n" || 0x01 || pubkey)[:4]', () => {
    for (const f of ['signed-note/c2sp-example.vkey', 'signed-note/peterneumann.vkey', 'signed-note/enochroot.vkey']) {
      const text = read(f).trim();
      const v = parseVerifierKey(text);
      const raw = Buffer.from(text.split('+')[2]!, 'base64').subarray(1);
      expect(keyIdFor(v.name, raw).toString('hex')).toBe(text.split('+')[1]);
      expect(v.encoded).toBe(text);
    }
  });

  it('signing with the published test key reproduces the signature byte for byte', () => {
    const signer = parseSignerKey(read('signed-note/peterneumann.PUBLIC-TEST-ONLY.skey'));
    const note = read('signed-note/peterneumann.note');
    const text = note.slice(0, note.lastIndexOf('\n\n') + 1);
    expect(signNote(text, [signer])).toBe(note);
    expect(signer.verifier.encoded).toBe(read('signed-note/peterneumann.vkey').trim());
  });

  it('accepts a note co-signed by an unknown key when one known key verifies', () => {
    const opened = openNote(read('signed-note/peterneumann+enochroot.note'), [parseVerifierKey(read('signed-note/peterneumann.vkey'))]);
    expect(opened.signatures.filter((s) => s.verified)).toHaveLength(1);
    expect(opened.signatures.filter((s) => !s.verified)).toHaveLength(1);
    const both = openNote(read('signed-note/peterneumann+enochroot.note'), [
      parseVerifierKey(read('signed-note/peterneumann.vkey')),
      parseVerifierKey(read('signed-note/enochroot.vkey')),
    ]);
    expect(both.verifiedBy).toEqual(['PeterNeumann', 'EnochRoot']);
  });

  it('changing any byte of the text breaks verification', () => {
    const v = parseVerifierKey(read('signed-note/peterneumann.vkey'));
    const note = read('signed-note/peterneumann.note');
    const textLen = note.lastIndexOf('\n\n');
    for (let i = 0; i < textLen; i += 7) {
      const bad = note.slice(0, i) + (note[i] === 'x' ? 'y' : 'x') + note.slice(i + 1);
      expect(() => openNote(bad, [v])).toThrow();
    }
  });

  it('rejects a note no known key signed, and malformed notes', () => {
    const v = parseVerifierKey(read('signed-note/c2sp-example.vkey'));
    expect(() => openNote(read('signed-note/peterneumann.note'), [v])).toThrow(/no verifiable signatures/);
    expect(() => openNote('no signature block\n', [v])).toThrow(/no signature block/);
    expect(() => openNote('text\n\n\u2014 example.com/foo !!!\n', [v])).toThrow(/base64/);
    expect(() => openNote(Buffer.from([0xff, 0x0a, 0x0a]), [v])).toThrow(/UTF-8/);
    expect(() => parseVerifierKey('a+b')).toThrow();
    expect(() => parseVerifierKey('example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k')).toThrow(/does not match/);
  });

  it('round-trips keys we generate', () => {
    const seed = randomBytes(32);
    const skey = encodeSignerKey('evident.test/log', seed);
    const signer = parseSignerKey(skey);
    const note = signNote('hello\n', [signer]);
    expect(openNote(note, [parseVerifierKey(signer.verifier.encoded)]).verifiedBy).toEqual(['evident.test/log']);
    expect(() => signerFromSeed('has space', seed)).toThrow(/invalid key name/);
  });
});

describe('C2SP tlog-checkpoints', () => {
  it('parses and verifies the production sum.golang.org checkpoint', () => {
    const v = parseVerifierKey(read('checkpoint/sum.golang.org.vkey'));
    const c = openCheckpoint(read('checkpoint/sum.golang.org-6476701.checkpoint'), [v], 'go.sum database tree');
    expect(c.size).toBe(6476701);
    expect(c.root.toString('base64')).toBe('mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=');
    expect(() => openCheckpoint(read('checkpoint/sum.golang.org-6476701.checkpoint'), [v], 'other origin')).toThrow(/origin/);
  });

  it('verifies all four signatures of the cosigned checkpoint', () => {
    const keys = [read('checkpoint/sum.golang.org.vkey'), ...read('checkpoint/cosigners.vkeys').trim().split('\n')].map(parseVerifierKey);
    const c = openCheckpoint(read('checkpoint/sum.golang.org-6476701.cosigned.checkpoint'), keys);
    expect(c.verifiedBy).toHaveLength(4);
  });

  it('parses the C2SP example but refuses it without its key', () => {
    const note = read('checkpoint/c2sp-behind-the-sofa.checkpoint');
    const body = parseCheckpointBody(note.slice(0, note.lastIndexOf('\n\n') + 1));
    expect(body).toMatchObject({ origin: 'example.com/behind-the-sofa', size: 20852163 });
    expect(() => openCheckpoint(note, [parseVerifierKey(read('checkpoint/sum.golang.org.vkey'))])).toThrow(/no verifiable signatures/);
  });

  it('signs our own checkpoints and rejects malformed bodies', () => {
    const signer = signerFromSeed('evident.test/log', randomBytes(32));
    const root = randomBytes(32);
    const note = signCheckpoint({ origin: 'evident.test/log', size: 42, root, extensions: ['ts 1700000000'] }, signer);
    const c = openCheckpoint(note, [signer.verifier], 'evident.test/log');
    expect(c).toMatchObject({ size: 42, extensions: ['ts 1700000000'] });
    expect(c.root.equals(root)).toBe(true);
    expect(() => parseCheckpointBody('o\n01\nAAAA\n')).toThrow(/decimal/);
    expect(() => parseCheckpointBody('o\n1\nAAAA\n')).toThrow(/SHA-256/);
    expect(() => parseCheckpointBody('o\n1\n')).toThrow(/three lines/);
  });
});
