import { ExpectedSecret } from './credential.js';

/** The user name a browser's login prompt must be given with the key as password. */
export const ADMIN_USER = 'admin';

/**
 * The operators' credential, `INGEST_API_KEY`. Programs send it as `Authorization: Bearer <key>`.
 * A page cannot set that header, and a browser sends only what its login prompt asked for, so the
 * pages operators open also take it as HTTP Basic: the user `admin` with the key as password.
 * Without a configured key nothing matches.
 */
export class AdminKey {
  private readonly bearer?: ExpectedSecret;
  private readonly password?: ExpectedSecret;

  constructor(apiKey: string | undefined) {
    if (!apiKey) return;
    this.bearer = new ExpectedSecret(`Bearer ${apiKey}`);
    this.password = new ExpectedSecret(apiKey);
  }

  /** `Authorization: Bearer <key>`. */
  inBearer(authorization: string | undefined): boolean {
    return this.bearer?.matches(authorization) ?? false;
  }

  /** `Authorization: Bearer <key>`, or `Basic` with the user `admin` and the key. */
  inBearerOrBasic(authorization: string | undefined): boolean {
    return this.inBearer(authorization) || (this.password?.matches(basicPasswordOfAdmin(authorization)) ?? false);
  }
}

/** The password of `Authorization: Basic base64(user:password)` (RFC 7617) when the user is `admin`. */
function basicPasswordOfAdmin(authorization: string | undefined): string | undefined {
  const encoded = /^basic +([A-Za-z0-9+/]+={0,2})$/i.exec(authorization ?? '')?.[1];
  if (encoded === undefined) return undefined;
  const credentials = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = credentials.indexOf(':');
  return colon >= 0 && credentials.slice(0, colon) === ADMIN_USER ? credentials.slice(colon + 1) : undefined;
}
