import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import { createCsrPem, CsrParseError, parseCsrPem } from './csr.js';

const rsaKey = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });

/** A CSR made by openssl (the tool users follow the Kubernetes docs with). */
function opensslCsr(keyArgs: string[], subj: string, san?: string): string {
  return execFileSync('openssl', ['req', '-new', ...keyArgs, '-nodes', '-keyout', '/dev/null', '-subj', subj, ...(san ? ['-addext', `subjectAltName=${san}`] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

test('RSA requests (ours): subject, SANs and the public key', () => {
  const p = parseCsrPem(createCsrPem(rsaKey.privateKey, { cn: 'system:node:n1', o: ['system:nodes'] }, { dns: ['n1', 'host'], ips: ['10.0.0.1', '::1'] }));
  assert.equal(p.commonName, 'system:node:n1');
  assert.deepEqual(p.organizations, ['system:nodes']);
  assert.deepEqual(p.dnsNames, ['n1', 'host']);
  assert.deepEqual(p.ipAddresses, ['10.0.0.1', '::1']);
  assert.equal(createPublicKey({ key: p.publicKeyDer, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' }), rsaKey.publicKey);
});

test('openssl RSA, ECDSA and Ed25519 requests', () => {
  const rsa = parseCsrPem(opensslCsr(['-newkey', 'rsa:2048'], '/O=dev/O=ops/CN=jane', 'DNS:a.example,IP:192.168.1.2,email:j@example.com,URI:spiffe://x/y'));
  assert.deepEqual([rsa.commonName, rsa.organizations, rsa.dnsNames, rsa.ipAddresses, rsa.emailAddresses, rsa.uris], ['jane', ['dev', 'ops'], ['a.example'], ['192.168.1.2'], ['j@example.com'], ['spiffe://x/y']]);
  const ec = parseCsrPem(opensslCsr(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], '/CN=ec-user'));
  assert.equal(ec.commonName, 'ec-user');
  assert.equal(createPublicKey({ key: ec.publicKeyDer, format: 'der', type: 'spki' }).asymmetricKeyType, 'ec');
  const ed = parseCsrPem(opensslCsr(['-newkey', 'ed25519'], '/CN=ed-user'));
  assert.equal(ed.commonName, 'ed-user');
});

test('wrong PEM types, garbage and forged signatures are refused', () => {
  assert.throws(() => parseCsrPem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), /PEM block type must be CERTIFICATE REQUEST/);
  assert.throws(() => parseCsrPem('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n'), (e: Error) => e instanceof CsrParseError && /^x509: malformed certificate request/.test(e.message));
  const pem = createCsrPem(rsaKey.privateKey, { cn: 'jane' });
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  der[der.length - 10] ^= 0xff;
  const forged = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
  assert.throws(() => parseCsrPem(forged), /crypto\/rsa: verification error/);
});
