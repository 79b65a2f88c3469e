/**
 * Kratos `web_hook` bodies as `KRATOS_BODY_TEMPLATE` makes them from `ctx.identity` (the Kratos
 * reference in the team's shared folder, §3.2). At registration pre-persist the identity is not
 * saved yet: its id and its addresses' ids are the nil UUID and its times the zero time. An address
 * is verified when a code was confirmed or an OIDC provider vouched for it.
 */

export type KratosHookPoint = 'registration' | 'settings' | 'login';

export interface KratosAddress {
  value: string;
  verified: boolean;
}

export interface KratosRequestOptions {
  hookPoint?: KratosHookPoint;
  /** The saved identity's id; ignored at registration, where Kratos sends the nil UUID. */
  identityId?: string;
  /** `null` is what Kratos sends for an identity without public metadata. */
  metadataPublic?: Record<string, unknown> | null;
  addresses?: KratosAddress[];
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** The identity as `ctx.identity` holds it at one hook point (without credentials and `metadata_admin`). */
export function kratosContextIdentity(options: KratosRequestOptions = {}): Record<string, unknown> {
  const { hookPoint = 'login', metadataPublic = null, addresses = [{ value: 'kim.sato@example.com', verified: true }] } = options;
  const saved = hookPoint !== 'registration';
  const time = saved ? '2026-11-20T08:30:00.123456Z' : ZERO_TIME;
  return {
    id: saved ? (options.identityId ?? 'kratos-identity-1') : NIL_UUID,
    schema_id: 'default',
    schema_url: 'https://auth.example.com/schemas/ZGVmYXVsdA',
    state: 'active',
    traits: { email: addresses[0]?.value ?? 'kim.sato@example.com', name: { first: 'Kim', last: 'Sato' } },
    metadata_public: metadataPublic,
    verifiable_addresses: addresses.map((address, index) => ({
      id: saved ? `8f2c1b6e-0000-4000-8000-00000000000${index}` : NIL_UUID,
      value: address.value,
      verified: address.verified,
      via: 'email',
      status: address.verified ? 'completed' : 'pending',
      ...(address.verified && saved ? { verified_at: time } : {}),
      created_at: time,
      updated_at: time,
    })),
    recovery_addresses: addresses.map((address) => ({ id: saved ? '3d9e7a40-0000-4000-8000-000000000000' : NIL_UUID, value: address.value, via: 'email', created_at: time, updated_at: time })),
    created_at: time,
    updated_at: time,
  };
}

/**
 * The body our route receives: what `KRATOS_BODY_TEMPLATE` yields for the identity above (the
 * template keeps the id, `metadata_public`, and each address's value and verified flag).
 */
export function kratosWebHookRequest(options: KratosRequestOptions = {}): Record<string, unknown> {
  const identity = kratosContextIdentity(options);
  const addresses = identity['verifiable_addresses'] as Array<Record<string, unknown>>;
  return {
    identity: {
      id: identity['id'],
      metadata_public: identity['metadata_public'],
      verifiable_addresses: addresses.map(({ value, verified }) => ({ value, verified })),
    },
  };
}
