/**
 * Bodies an Auth0 Action sends to the claims hooks (the contract is in `providers/auth0-hooks.ts`),
 * with the values Auth0 puts in the Action's `event`. `null` leaves a member out; other members
 * the Action may add for its own logs are allowed through `extra`.
 */

/** From `exports.onExecuteCredentialsExchange`: `{ clientId: event.client.client_id }`. */
export function auth0CredentialsExchangeRequest(options: { clientId?: unknown; extra?: Record<string, unknown> } = {}): Record<string, unknown> {
  return withoutNulls({ clientId: options.clientId === undefined ? 'billing-service' : options.clientId, ...options.extra });
}

/** From `exports.onExecutePostLogin`: `{ userId: event.user.user_id, email: event.user.email, emailVerified: event.user.email_verified }`. */
export function auth0PostLoginRequest(
  options: { userId?: unknown; email?: unknown; emailVerified?: unknown; extra?: Record<string, unknown> } = {},
): Record<string, unknown> {
  return withoutNulls({
    userId: options.userId === undefined ? 'auth0|6650f1a2b3c4d5e6f7a8b9c0' : options.userId,
    email: options.email === undefined ? 'kim.sato@example.com' : options.email,
    emailVerified: options.emailVerified === undefined ? true : options.emailVerified,
    ...options.extra,
  });
}

function withoutNulls(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null));
}
