import { hash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Where a provider puts its credential on each call, and the exact value expected there. */
export interface ProviderCredential {
  in: 'header' | 'cookie';
  name: string;
  value: string;
}

const sha256 = (value: string): Buffer => hash('sha256', value, 'buffer');

/**
 * A secret a caller must present, compared in constant time: both sides are hashed first, so
 * neither the content nor the length of the secret shows in the time taken. The expected side is
 * hashed once, here.
 */
export class ExpectedSecret {
  private readonly digest: Buffer;

  constructor(value: string) {
    this.digest = sha256(value);
  }

  matches(presented: string | undefined): boolean {
    const equal = timingSafeEqual(sha256(presented ?? ''), this.digest);
    return equal && presented !== undefined;
  }
}

/** Tells whether a request carries the provider's credential; with none configured, none does. */
export function credentialCheck(expected: ProviderCredential | undefined): (headers: IncomingHttpHeaders) => boolean {
  if (expected === undefined) return () => false;
  const secret = new ExpectedSecret(expected.value);
  return expected.in === 'header'
    ? (headers) => secret.matches(singleHeader(headers, expected.name))
    : (headers) => secret.matches(cookie(headers, expected.name));
}

function singleHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The cookie as Go's `AddCookie` (Hydra) writes it: the value verbatim, in double quotes when it
 * holds a space or a comma. Nothing is percent-decoded: Go does not encode.
 */
function cookie(headers: IncomingHttpHeaders, name: string): string | undefined {
  for (const pair of (headers.cookie ?? '').split(';')) {
    const separator = pair.indexOf('=');
    if (separator > 0 && pair.slice(0, separator).trim() === name) {
      const value = pair.slice(separator + 1).trim();
      return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
    }
  }
  return undefined;
}
