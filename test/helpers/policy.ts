import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compilePolicy, type PolicySource } from '../../src/policy/model.js';

export const EXAMPLES_DIR = join(import.meta.dirname, '../../examples/policy');
export const ADMISSION_FIXTURES = join(import.meta.dirname, '../fixtures/admission');

export function exampleSources(): PolicySource[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((n) => n.endsWith('.yaml'))
    .sort()
    .map((n) => ({ name: `examples/policy/${n}`, text: readFileSync(join(EXAMPLES_DIR, n), 'utf8') }));
}

export function examplePolicy() {
  return compilePolicy(exampleSources());
}

/** An AdmissionReview fixture, wrapped in an envelope when the file holds only the request. */
export function admissionFixture(name: string): { apiVersion: string; kind: string; request: Record<string, any> } {
  const raw = JSON.parse(readFileSync(join(ADMISSION_FIXTURES, name), 'utf8'));
  return raw.request ? raw : { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: raw };
}

export function admissionFixtureNames(): string[] {
  return readdirSync(ADMISSION_FIXTURES).filter((n) => n.endsWith('.json')).sort();
}
