import type { ClaimsDocument } from '../claims/claims-document.js';
import type { FieldError, Parsed } from '../errors.js';
import { isJsonObject, type JsonObject } from '../json.js';
import { RESERVED_CLAIMS, type Provider } from './reserved-claims.js';

export const TOKEN_KINDS = ['access', 'id'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

/**
 * Where a token claim comes from: the linked patient id, every granted claim under its own name,
 * or one profile attribute (`profile.<attribute>`).
 */
export type ClaimSource = 'patientId' | 'grantedClaims' | `profile.${string}`;

export interface ClaimRule {
  source: ClaimSource;
  /** Token claim name; required for `patientId` and profile sources, absent for `grantedClaims`. */
  claim?: string;
  tokens: TokenKind[];
}

/** Rules apply in order; a later rule that names the same claim wins. */
export interface ClaimMapping {
  rules: ClaimRule[];
}

export interface ClaimsConfig {
  /** Mapping for every provider without one of its own. */
  rules: ClaimRule[];
  providers: Partial<Record<Provider, ClaimMapping>>;
}

/** The contract's default: granted claims keep their names, the patient id is `patient_id`, both in both tokens. */
export const DEFAULT_CLAIMS_CONFIG: ClaimsConfig = {
  rules: [
    { source: 'grantedClaims', tokens: ['access', 'id'] },
    { source: 'patientId', claim: 'patient_id', tokens: ['access', 'id'] },
  ],
  providers: {},
};

export function mappingFor(config: ClaimsConfig, provider: Provider): ClaimMapping {
  return config.providers[provider] ?? { rules: config.rules };
}

/** The claims a document contributes to one kind of token, before any provider-specific filtering. */
export function tokenClaims(doc: ClaimsDocument, mapping: ClaimMapping, token: TokenKind): JsonObject {
  const claims: JsonObject = {};
  for (const rule of rulesFor(mapping, token)) {
    if (rule.source === 'grantedClaims') {
      Object.assign(claims, doc.claims);
      continue;
    }
    const value = rule.source === 'patientId' ? doc.patientId : doc.profile[rule.source.slice('profile.'.length)];
    if (value !== undefined) claims[rule.claim!] = value;
  }
  return claims;
}

/**
 * The names this service answers for in one kind of token, whether the document gives them a value
 * now or not: the names the mapping gives, every granted claim and every revoked one. A provider
 * that echoes the last token's claims back must drop these when the document no longer gives them.
 */
export function ownedClaimNames(doc: ClaimsDocument, mapping: ClaimMapping, token: TokenKind): Set<string> {
  const names = new Set<string>();
  for (const rule of rulesFor(mapping, token)) {
    if (rule.source !== 'grantedClaims') {
      names.add(rule.claim!);
      continue;
    }
    for (const name of Object.keys(doc.claims)) names.add(name);
    for (const name of doc.revokedClaims) names.add(name);
  }
  return names;
}

/**
 * Each mapping's rules by kind of token, sorted out at its first use: hook answers ask for them on
 * every call, and a mapping does not change once the configuration is read.
 */
const rulesByToken = new WeakMap<ClaimMapping, Record<TokenKind, ClaimRule[]>>();

function rulesFor(mapping: ClaimMapping, token: TokenKind): ClaimRule[] {
  let byToken = rulesByToken.get(mapping);
  if (byToken === undefined) {
    byToken = { access: mapping.rules.filter((rule) => rule.tokens.includes('access')), id: mapping.rules.filter((rule) => rule.tokens.includes('id')) };
    rulesByToken.set(mapping, byToken);
  }
  return byToken[token];
}

/**
 * Reads a claims configuration file (`CLAIMS_CONFIG`): `{ "rules": [...], "providers": { "okta": { "rules": [...] } } }`.
 * Without `rules` the default rules apply. A rule may not name a claim that a provider it applies
 * to reserves for itself.
 */
export function parseClaimsConfig(raw: unknown): Parsed<ClaimsConfig> {
  if (!isJsonObject(raw)) return { ok: false, errors: [{ field: '', reason: 'must be a JSON object' }] };
  const errors: FieldError[] = [];
  const providers: Partial<Record<Provider, ClaimMapping>> = {};
  const rawProviders = raw['providers'] ?? {};
  if (!isJsonObject(rawProviders)) {
    errors.push({ field: 'providers', reason: 'must be an object keyed by provider' });
  } else {
    for (const [name, value] of Object.entries(rawProviders)) {
      if (!isProvider(name)) {
        errors.push({ field: `providers.${name}`, reason: `is not a provider (${PROVIDERS.join(', ')})` });
        continue;
      }
      providers[name] = { rules: parseRules(isJsonObject(value) ? value['rules'] : undefined, `providers.${name}.rules`, [name], errors) };
    }
  }
  const appliesTo = PROVIDERS.filter((provider) => !providers[provider]);
  const rules = raw['rules'] === undefined ? DEFAULT_CLAIMS_CONFIG.rules : parseRules(raw['rules'], 'rules', appliesTo, errors);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: { rules, providers } };
}

const PROVIDERS = Object.keys(RESERVED_CLAIMS) as Provider[];

function isProvider(name: string): name is Provider {
  return (PROVIDERS as string[]).includes(name);
}

function parseRules(raw: unknown, field: string, appliesTo: Provider[], errors: FieldError[]): ClaimRule[] {
  if (!Array.isArray(raw)) {
    errors.push({ field, reason: 'must be an array of rules' });
    return [];
  }
  return raw.flatMap((item: unknown, index) => {
    const at = `${field}[${index}]`;
    const before = errors.length;
    if (!isJsonObject(item)) {
      errors.push({ field: at, reason: 'must be an object' });
      return [];
    }
    const { source, claim, tokens } = item;
    const validSource = source === 'patientId' || source === 'grantedClaims' || (typeof source === 'string' && /^profile\.[^.]+$/.test(source));
    if (!validSource) errors.push({ field: `${at}.source`, reason: 'must be patientId, grantedClaims or profile.<attribute>' });
    if (source === 'grantedClaims' && claim !== undefined) {
      errors.push({ field: `${at}.claim`, reason: 'must be absent: granted claims keep their own names' });
    } else if (source !== 'grantedClaims' && (typeof claim !== 'string' || claim.length === 0)) {
      errors.push({ field: `${at}.claim`, reason: 'must be a non-empty claim name' });
    }
    if (!Array.isArray(tokens) || tokens.length === 0 || !tokens.every((token) => (TOKEN_KINDS as readonly unknown[]).includes(token))) {
      errors.push({ field: `${at}.tokens`, reason: 'must be a non-empty array of "access" and "id"' });
    }
    if (errors.length > before) return [];
    const rule: ClaimRule = { source: source as ClaimSource, tokens: [...new Set(tokens as TokenKind[])] };
    if (typeof claim !== 'string') return [rule];
    rule.claim = claim;
    const reservedBy = appliesTo.flatMap((provider) => {
      const reservedIn = rule.tokens.filter((token) => RESERVED_CLAIMS[provider][token].has(claim));
      return reservedIn.length > 0 ? [`${provider} in the ${reservedIn.join(' and ')} token`] : [];
    });
    if (reservedBy.length > 0) errors.push({ field: `${at}.claim`, reason: `"${claim}" is reserved by ${reservedBy.join(', and by ')}` });
    return errors.length > before ? [] : [rule];
  });
}
