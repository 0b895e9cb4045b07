// A minimal OpenID Provider on 127.0.0.1: the discovery document and a JWKS, with real keys, so
// the OIDC path is exercised over the real protocol (we cannot run a real IdP here).
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

export interface FakeIdp {
  issuer: string;
  sign(claims: Record<string, unknown>, opts?: { expiresIn?: string; audience?: string; kid?: string; issuer?: string }): Promise<string>;
  rotate(): Promise<void>;
  setDown(down: boolean): void;
  close(): Promise<void>;
}

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export async function startFakeIdp(): Promise<FakeIdp> {
  const keys: { kid: string; privateKey: PrivateKey; jwk: JWK }[] = [];
  let down = false;
  const addKey = async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = `k${keys.length + 1}`;
    keys.push({ kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } });
  };
  await addKey();
  let issuer = '';
  const server: Server = createServer((req, res) => {
    if (down) {
      req.socket.destroy();
      return;
    }
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') {
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks`, id_token_signing_alg_values_supported: ['ES256'] }));
    } else if (req.url === '/jwks') {
      res.end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  issuer = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return {
    issuer,
    async sign(claims, opts = {}) {
      const key = opts.kid ? keys.find((k) => k.kid === opts.kid) ?? keys.at(-1)! : keys.at(-1)!;
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: opts.kid ?? key.kid })
        .setIssuer(opts.issuer ?? issuer)
        .setAudience(opts.audience ?? 'evident')
        .setIssuedAt()
        .setExpirationTime(opts.expiresIn ?? '5m')
        .sign(key.privateKey);
    },
    async rotate() {
      await addKey();
    },
    setDown(d) {
      down = d;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
