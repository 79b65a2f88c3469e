import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the pure domain may import: its own files and the validation decorators, nothing with I/O. */
const ALLOWED_PACKAGES = new Set(['class-validator', 'class-transformer']);

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('libs/domain', () => {
  it('imports no framework, driver or environment: only its own modules and class-validator', () => {
    const offending = sourceFiles(join(process.cwd(), 'libs/domain/src')).flatMap((file) => {
      const source = readFileSync(file, 'utf8');
      const imports = [...source.matchAll(/from\s+'([^']+)'/g)].map((match) => match[1]!);
      const bad = imports.filter((specifier) => !specifier.startsWith('.') && !ALLOWED_PACKAGES.has(specifier));
      if (/process\.env|Date\.now\(|randomUUID\(/.test(source)) bad.push('process.env, Date.now() or randomUUID()');
      return bad.map((what) => `${file}: ${what}`);
    });

    expect(offending).toEqual([]);
  });
});
