import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const SHARED_PART = '// ---- The same in every claims-enrichment Action ----';
const read = (file: string) => readFileSync(join('examples', 'auth0', file), 'utf8');

// The behaviour is tested against a running hook-api in auth0-actions.int.spec.ts; these check the files.
describe('examples/auth0 Action files', () => {
  const files = { 'post-login.cjs': 'onExecutePostLogin', 'credentials-exchange.cjs': 'onExecuteCredentialsExchange' };

  it('share the call to the hook-api word for word, so a fix to one reaches both', () => {
    const [first, ...others] = Object.keys(files).map((file) => {
      const source = read(file);
      expect(source).toContain(SHARED_PART);
      return source.slice(source.indexOf(SHARED_PART));
    });

    for (const other of others) expect(other).toBe(first);
  });

  it.each(Object.entries(files))('%s exports only %s and needs no module, so it can be pasted into Auth0 as it is', (file, handler) => {
    const source = read(file);

    expect([...source.matchAll(/^exports\.(\w+)\s*=/gm)].map((match) => match[1])).toEqual([handler]);
    expect(source).not.toMatch(/\brequire\(|^\s*import\s/m);
  });
});
