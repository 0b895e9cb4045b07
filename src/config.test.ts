import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { tempDir } from '../test/helpers/db.js';

describe('configuration', () => {
  it('has safe defaults and is frozen', () => {
    const c = loadConfig({ env: {} });
    expect(c.server).toMatchObject({ host: '127.0.0.1', port: 8080, trustProxy: false });
    expect(c.database.url).toBeUndefined();
    expect(c.dataDir).toMatch(/\.evident$/u);
    expect(Object.isFrozen(c) && Object.isFrozen(c.server)).toBe(true);
    expect(() => ((c.server as { port: number }).port = 1)).toThrow();
  });

  it('layers file < environment < flags', () => {
    const file = join(tempDir(), 'evident.yaml');
    writeFileSync(file, 'server:\n  port: 9000\n  host: 0.0.0.0\nlog:\n  level: warn\n');
    const c = loadConfig({ file, env: { EVIDENT_PORT: '9100', DATABASE_URL: 'postgres://db/evident' }, overrides: { server: { port: 9200 } } });
    expect(c.server).toMatchObject({ port: 9200, host: '0.0.0.0' });
    expect(c.log.level).toBe('warn');
    expect(c.database.url).toBe('postgres://db/evident');
  });

  it('names bad values and unknown variables', () => {
    expect(() => loadConfig({ env: { EVIDENT_PORT: 'eighty' } })).toThrow(/EVIDENT_PORT="eighty" is not a whole number/u);
    expect(() => loadConfig({ env: { EVIDENT_PROT: '1' } })).toThrow(/unknown environment variable EVIDENT_PROT/u);
    expect(() => loadConfig({ env: {}, overrides: { webhook: { clientNames: ['kube-apiserver'] } } })).toThrow(/webhook\.clientNames needs webhook\.clientCaFile/u);
    expect(() => loadConfig({ env: { EVIDENT_LOG_LEVEL: 'loud' } })).toThrow(/log\.level/u);
    expect(() => loadConfig({ env: {}, overrides: { auth: { tokenTtlDays: 500, maxTokenTtlDays: 400 } } })).toThrow(/tokenTtlDays/u);
    expect(() => loadConfig({ file: '/nonexistent/evident.yaml', env: {} })).toThrow(/cannot read config file/u);
  });

  it('takes a proxy as addresses or a hop count, and a role mapping as JSON', () => {
    expect(loadConfig({ env: { EVIDENT_TRUST_PROXY: '10.0.0.0/8,127.0.0.1' } }).server.trustProxy).toBe('10.0.0.0/8,127.0.0.1');
    expect(loadConfig({ env: {}, overrides: { server: { trustProxy: 2 } } }).server.trustProxy).toBe(2);
    const c = loadConfig({
      env: { EVIDENT_OIDC_ISSUER: 'https://login.example.com', EVIDENT_OIDC_AUDIENCE: 'evident', EVIDENT_OIDC_ROLE_MAPPING: '{"ml-eng":["developer"]}' },
    });
    expect(c.auth.oidc).toMatchObject({ issuer: 'https://login.example.com', roleMapping: { 'ml-eng': ['developer'] }, maxTokenTtlDays: 30 });
    expect(() => loadConfig({ env: { EVIDENT_OIDC_ISSUER: 'https://x', EVIDENT_OIDC_AUDIENCE: 'a', EVIDENT_OIDC_ROLE_MAPPING: '{"g":["root"]}' } })).toThrow(/roleMapping/u);
  });
});
