import type { JsonObject } from '../json.js';

/** How a hook finds the subject a token is minted for: by subject id, or by a login, email or alias. */
export type SubjectLookup = { by: 'subject'; value: string } | { by: 'name'; value: string };

/** What a hook route sends back: a status and, unless it is 204, a JSON body. */
export type HookAnswer = { status: 204 } | { status: 200 | 403; body: JsonObject };

export const NO_CHANGE: HookAnswer = { status: 204 };

/** `open`: the token is issued without our claims; `closed`: the token is refused. */
export type FailureMode = 'open' | 'closed';
