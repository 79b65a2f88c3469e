import { JWT_REGISTERED_CLAIMS } from '../events/event-rules.js';

type ReservedNames = Record<'access' | 'id', ReadonlySet<string>>;

const OKTA_BOTH = ['acr', 'auth_time', 'cid', 'cnf', 'exp', 'groups', 'iat', 'iss', 'jti', 'sid', 'token_type', 'ver'];

/**
 * Claim names each provider keeps for itself: a hook answer never sets them. Okta's list is the
 * token hook reference of January 2024 (the last one that spelled it out); Okta drops a whole patch
 * when one operation touches such a name, so one bad claim would cost every claim.
 */
export const RESERVED_CLAIMS = {
  okta: {
    id: new Set([
      ...JWT_REGISTERED_CLAIMS,
      ...OKTA_BOTH,
      ...['active', 'aid', 'amr', 'app_id', 'app_type', 'at_hash', 'aud', 'c_hash', 'client_id', 'client_ip'],
      ...['client_req_id', 'client_type', 'client_user_agent', 'device_compliance', 'device_id', 'device_known'],
      ...['device_managed', 'device_name', 'device_trust', 'did', 'dst', 'group', 'hotk', 'idp', 'idp_iss', 'mac_key'],
      ...['may_act', 'nonce', 'oid', 'okta_emailVerified', 'okta_lastUpdated', 'orig', 'permissions', 'purpose'],
      ...['pwd_exp_days', 'pwd_exp_time', 'rid', 'role', 'scope', 'scopes', 'sub', 'term', 'user_ip'],
    ]),
    access: new Set([
      ...JWT_REGISTERED_CLAIMS,
      ...OKTA_BOTH,
      ...['as_uri', 'authorization_details', 'rpt', 'rsi', 'scp', 'uid', 'username'],
    ]),
  },
  /**
   * Hydra overwrites or drops these from a hook's answer (`IDTokenClaims.ToMap` and the access
   * token's fixed claims). `sid` Hydra would take from us, but it is its login session id, which
   * logout depends on, so it is reserved here by choice.
   */
  hydra: {
    id: new Set([...JWT_REGISTERED_CLAIMS, 'acr', 'amr', 'at_hash', 'auth_time', 'c_hash', 'nonce', 'rat', 'sid']),
    access: new Set([...JWT_REGISTERED_CLAIMS, 'client_id', 'ext', 'scp']),
  },
  /**
   * Auth0 receives every claim under the configured namespace URL, so no bare name clashes with its
   * own; the namespaced names it restricts are {@link AUTH0_RESTRICTED_CLAIMS}.
   */
  auth0: { id: new Set(), access: new Set() },
  /** Kratos takes our claims as `metadata_public` members, where no name is its own. */
  kratos: { id: new Set(), access: new Set() },
} satisfies Record<string, ReservedNames>;

export type Provider = keyof typeof RESERVED_CLAIMS;

/**
 * Claim names Auth0 keeps for itself (its custom-claims rules since July 2022): a custom claim so
 * named is dropped without a word. Auth0 compares the name as set, namespace included, so a claim
 * the projection calls `roles` reaches it as `https://claims.example.org/roles`, which it accepts.
 * Not the `auth0` entry of `RESERVED_CLAIMS`: the claims configuration is checked against that table
 * before any namespace, so `roles` or `permissions` in rules shared by all providers would be refused.
 */
export const AUTH0_RESTRICTED_CLAIMS: ReadonlySet<string> = new Set([
  ...['acr', 'act', 'active', 'amr', 'at_hash', 'ath', 'attest', 'aud', 'auth_time', 'authorization_details', 'azp'],
  ...['c_hash', 'client_id', 'cnf', 'cty', 'dest', 'entitlements', 'events', 'exp', 'groups', 'gty', 'htm', 'htu'],
  ...['iat', 'internalService', 'iss', 'jcard', 'jku', 'jti', 'jwe', 'jwk', 'kid', 'may_act', 'mky', 'nbf', 'nonce'],
  ...['object_id', 'org_id', 'org_name', 'orig', 'origid', 'permissions', 'roles', 'rph', 's_hash', 'sid'],
  ...['sip_callid', 'sip_cseq_num', 'sip_date', 'sip_from_tag', 'sip_via_branch', 'sub', 'sub_jwk', 'toe', 'txn'],
  ...['typ', 'uuid', 'vot', 'vtm', 'x5t#S256'],
]);
