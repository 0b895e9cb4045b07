import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findJsonConfigs, scanHdf5, scanKerasConfig } from './keras.js';

const FIXTURES = new URL('../../test/fixtures/scan-formats/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');

/** marshal'd `lambda x: os.system(x)` as tf.keras 2 writes it (base64 of a code object). */
const CODE = '4wEAAAAAAAAAAAAAAAEAAAADAAAAQwAAAHMMAAAAdABqAXwAgwF9AHwAUwCpAU4pAtoCb3PaBnN5c3RlbakB2gF4cgAAAA==';

const layer = (cls: string, config: object, extra: object = {}) => ({ module: 'keras.layers', class_name: cls, config, registered_name: null, ...extra });
const rulesOf = (json: unknown) => scanKerasConfig(JSON.stringify(json)).map((f) => [f.rule, f.severity]);

describe('scanKerasConfig', () => {
  it('passes a plain Keras 3 model', () => {
    expect(scanKerasConfig(fixture('keras3-clean.config.json'))).toEqual([]);
  });

  it('finds Lambdas and custom objects nested in wrappers and sub-models (Keras 3)', () => {
    const findings = scanKerasConfig(fixture('keras3-nested-lambda.config.json'));
    const pairs = findings.map((f) => [f.rule, f.severity]);
    expect(pairs).toEqual([
      ['keras-lambda-layer', 'dangerous'], // TimeDistributed(Lambda(lambda ...))
      ['keras-custom-object', 'suspicious'], // Bidirectional backward_layer from my_pkg
      ['keras-custom-object', 'suspicious'], // ...and its registered name my_pkg>MyLSTM
      ['keras-lambda-layer', 'suspicious'], // Lambda calling a named function in a nested Sequential
      ['keras-custom-object', 'suspicious'], // ...that function lives in __main__
      ['keras-tfop-lambda', 'suspicious'],
    ]);
    expect(findings[0]!.detail).toMatch(/"lam".*bytecode/u);
    expect(findings[0]!.detail).toContain('layers[1].config.layer');
  });

  it('rates a legacy tf.keras Lambda with marshalled code dangerous', () => {
    const f = scanKerasConfig(fixture('keras2-lambda.model_config.json'));
    expect(f.map((x) => [x.rule, x.severity])).toEqual([['keras-lambda-layer', 'dangerous']]);
    expect(rulesOf({ class_name: 'Lambda', config: { function: CODE } })).toEqual([['keras-lambda-layer', 'dangerous']]);
    expect(rulesOf({ class_name: 'Lambda', config: { function: 'my_fn', function_type: 'function', module: 'my_mod' } })).toEqual([
      ['keras-lambda-layer', 'suspicious'],
    ]);
  });

  it('rates imports of OS-reaching modules dangerous (CVE-2025-1550 shape)', () => {
    const cfg = layer('Dense', { name: 'd', activation: { module: 'builtins', class_name: 'function', config: 'exec', registered_name: 'exec' } });
    const f = scanKerasConfig(JSON.stringify(cfg));
    expect(f.map((x) => [x.rule, x.severity])).toEqual([['keras-dangerous-module', 'dangerous']]);
    expect(f[0]!.detail).toContain('builtins.exec');
    expect(rulesOf({ module: 'os.path', class_name: 'X' })).toEqual([['keras-dangerous-module', 'dangerous']]);
    expect(rulesOf({ module: 'keras.src.models.functional', class_name: 'Functional' })).toEqual([]);
    expect(rulesOf({ module: 'tf_keras.layers', class_name: 'Dense' })).toEqual([]);
  });

  it('reports invalid JSON and pathological nesting without throwing', () => {
    expect(rulesOf('nope')).toEqual([]);
    expect(scanKerasConfig('{').map((f) => f.rule)).toEqual(['keras-invalid-config']);
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    expect(scanKerasConfig(deep).map((f) => f.rule)).toEqual(['keras-config-too-complex']);
  });

  it('never throws on random JSON', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 6 }), (j) => {
        scanKerasConfig(j);
      }),
      { numRuns: 500 },
    );
  });
});

/** A minimal stand-in for an .h5: HDF5 signature, binary noise, attribute strings, NUL padding. */
function fakeH5(...attrs: string[]): Uint8Array {
  const enc = new TextEncoder();
  const parts: number[] = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0, 8, 8, 0, 4];
  for (let i = 0; i < 200; i++) parts.push((i * 37) & 0xff);
  for (const a of attrs) {
    parts.push(...enc.encode('model_config'), 0, 0, 0, 0x13, 0, 0);
    parts.push(...enc.encode(a), 0, 0, 0, 0);
    for (let i = 0; i < 50; i++) parts.push((i * 91) & 0xff);
  }
  return Uint8Array.from(parts);
}

describe('scanHdf5', () => {
  it('finds model_config among binary data and scans it', () => {
    const config = fixture('keras2-lambda.model_config.json').trim();
    const training = JSON.stringify({ loss: 'mse', optimizer_config: { class_name: 'Adam', config: { lr: 0.001 } } });
    const f = scanHdf5(fakeH5(training, config));
    expect(f.map((x) => [x.rule, x.severity])).toEqual([['keras-lambda-layer', 'dangerous']]);
    expect(f[0]!.detail).toMatch(/\[JSON at byte \d+\]/u);
  });

  it('reports a weights-only file as safe information', () => {
    expect(scanHdf5(fakeH5()).map((f) => [f.rule, f.severity])).toEqual([['hdf5-no-model-config', 'safe']]);
  });

  it('flags a missing signature but still looks for configs', () => {
    const f = scanHdf5(new TextEncoder().encode('junk {"class_name": "Lambda", "config": {"function_type": "lambda"}} junk'));
    expect(f.map((x) => x.rule)).toEqual(['hdf5-invalid-signature', 'keras-lambda-layer']);
  });

  it('accepts a signature after a user block', () => {
    const b = new Uint8Array(1024 + 16);
    b.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], 1024);
    expect(scanHdf5(b).map((f) => f.rule)).toEqual(['hdf5-no-model-config']);
  });

  it('ignores truncated or broken candidates and prefers the longest config', () => {
    const enc = new TextEncoder();
    const bytes = enc.encode('{"class_name": "A", "config": {"x": "unterminated\0\0 {"class_name": "B"} {"module": "keras", "class_name": "Functional", "config": {"layers": [{"class_name": "Dense"}]}}');
    const { configs, exhausted } = findJsonConfigs(bytes);
    expect(exhausted).toBe(false);
    expect(configs.map((c) => (JSON.parse(c.text) as { class_name: string }).class_name)).toEqual(['Functional', 'B']);
  });

  it('stays bounded on many unterminated candidates', () => {
    const unit = new TextEncoder().encode('{"class_name" [[[[');
    const b = new Uint8Array(unit.length * 2000);
    for (let i = 0; i < 2000; i++) b.set(unit, i * unit.length);
    const t0 = Date.now();
    const f = scanHdf5(b);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(f.map((x) => x.rule)).toContain('hdf5-scan-incomplete');
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), (b) => {
        scanHdf5(b);
      }),
      { numRuns: 500 },
    );
  });
});
