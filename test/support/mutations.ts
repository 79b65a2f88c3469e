/**
 * Bad input made from good input: a fuzzer's mutations of a valid JSON body, as raw bytes to send.
 * Everything comes from a seeded generator, so a failing body can be made again from its index.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** mulberry32: small, fast, and the same sequence for the same seed. */
export class SeededRandom {
  constructor(private state: number) {}

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), 1 | this.state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }
}

export interface Mutant {
  body: Buffer;
  contentType: string;
  /** What was done to the body, to tell a failure's cause. */
  mutations: string[];
}

/** Keys that reach `Object.prototype` when code assigns or merges them naively. */
export const POLLUTION_MARK = 'POLLUTED-BY-FUZZ';
const POLLUTING_KEYS = ['__proto__', 'constructor', 'prototype'];
/** What a polluted prototype would make every object seem to hold: names the code reads. */
const POLLUTION = { polluted: POLLUTION_MARK, patientId: POLLUTION_MARK, status: 'deactivated', claims: { role: POLLUTION_MARK }, prototype: { polluted: POLLUTION_MARK } };

const WRONG_TYPES: Json[] = [null, true, false, 0, -1, 1.5, -0, 1e308, 2 ** 53 + 1, '', ' ', '0', 'null', [], {}, [null], [[]], { '': '' }, [1, 'a', {}]];
const NASTY_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  '\ufeff',
  '\u0007\u001b[31m',
  'Ǆǅǆ\u0130\u0131ß',
  '😀'.repeat(50),
  "'; DROP TABLE events; --",
  '${7*7}{{7*7}}<%= 7*7 %>',
  '../../../../etc/passwd',
  '<script>alert(1)</script>',
  'https://evil.example/\r\nSet-Cookie: a=b',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'toString',
  'NaN',
  '-1',
];
const INVALID_UTF8 = [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0xfe, 0xff]];
const CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'application/octet-stream', 'multipart/form-data; boundary=x', 'application/jsonx'];

/** Every object and array inside `value`, with the way to replace a member of it. */
function containers(value: Json, found: Array<{ parent: Json[] | { [key: string]: Json }; key: string | number }> = []) {
  if (Array.isArray(value)) value.forEach((item, index) => (found.push({ parent: value, key: index }), containers(item, found)));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) found.push({ parent: value, key }), containers(item, found);
  return found;
}

/**
 * Deep nesting is written into the text after JSON.stringify, which would run out of stack on it
 * in this process: the tree holds this marker with the depth in its place.
 */
const DEEP_MARKER = '\u0000nested:';
/** The marker as JSON.stringify writes it. */
const DEEP_IN_TEXT = /"\\u0000nested:(\d+)"/g;

function nestedText(random: SeededRandom, depth: number): string {
  return random.chance(0.5) ? `${'['.repeat(depth)}0${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}0${'}'.repeat(depth)}`;
}

/** One change to a copy of the body; the body itself when it has no member to change. */
function mutateValue(root: Json, random: SeededRandom, hugeStringBytes: number): { root: Json; mutation: string } {
  const places = containers(root);
  const place = places.length > 0 ? random.pick(places) : undefined;
  const set = (value: Json) => (place ? ((place.parent as Record<string | number, Json>)[place.key] = value) : (root = value));
  switch (random.int(9)) {
    case 0:
      set(structuredClone(random.pick(WRONG_TYPES)));
      return { root, mutation: `wrong type at ${String(place?.key)}` };
    case 1:
      if (place && !Array.isArray(place.parent)) delete place.parent[place.key as string];
      return { root, mutation: `removed ${String(place?.key)}` };
    case 2: {
      const objects = [root, ...places.map(({ parent, key }) => (parent as Record<string | number, Json>)[key]!)].filter(
        (value): value is { [key: string]: Json } => value !== null && typeof value === 'object' && !Array.isArray(value),
      );
      const key = random.pick(POLLUTING_KEYS);
      // Defined, not assigned: an own member named `__proto__`, as JSON.parse makes it.
      if (objects.length > 0) Object.defineProperty(random.pick(objects), key, { value: structuredClone(POLLUTION), enumerable: true, writable: true, configurable: true });
      return { root, mutation: `pollution key ${key}` };
    }
    case 3:
      set(random.pick(NASTY_STRINGS));
      return { root, mutation: 'nasty string' };
    case 4: {
      const length = random.chance(0.05) ? hugeStringBytes : random.pick([10, 300, 5_000]);
      set('x'.repeat(length));
      return { root, mutation: `string of ${length}` };
    }
    case 5: {
      const depth = random.pick([64, 1_000, 5_000]);
      set(`${DEEP_MARKER}${depth}`);
      return { root, mutation: `nesting ${depth} deep` };
    }
    case 6:
      set(random.pick(['9'.repeat(400), -1e308, 0.1 + 0.2, Number.MIN_VALUE]));
      return { root, mutation: 'extreme number' };
    case 7:
      root = random.pick<Json>([[root], { events: root }, [root, root], Array.from({ length: 1_001 }, () => 0), { data: root }]);
      return { root, mutation: 'wrapped' };
    default:
      if (place && typeof (place.parent as Record<string | number, Json>)[place.key] === 'string') set(`${(place.parent as Record<string | number, Json>)[place.key]}${random.pick(NASTY_STRINGS)}`);
      return { root, mutation: 'string suffix' };
  }
}

/** Changes to the bytes themselves: what JSON cannot say. */
function mutateBytes(text: string, random: SeededRandom): { body: Buffer; mutation: string } {
  const at = random.int(text.length + 1);
  switch (random.int(6)) {
    case 0:
      return { body: Buffer.from(text.slice(0, at)), mutation: `truncated at ${at}` };
    case 1: {
      const bytes = Buffer.from(random.pick(INVALID_UTF8));
      return { body: Buffer.concat([Buffer.from(text.slice(0, at)), bytes, Buffer.from(text.slice(at))]), mutation: 'invalid UTF-8' };
    }
    case 2:
      return { body: Buffer.from(text.replace('{', `{"${random.pick(POLLUTING_KEYS)}":${JSON.stringify(POLLUTION)},`)), mutation: 'pollution key in the text' };
    case 3:
      return { body: Buffer.from(text.replace('{', '{"constructor":{"prototype":{"polluted":"' + POLLUTION_MARK + '"}},')), mutation: 'constructor.prototype in the text' };
    case 4:
      return { body: Buffer.from(random.pick(['', 'null', '1', '"x"', '[', '{"a":', '\ufeff' + text, text + 'garbage', text.replace(/:/g, '=')])), mutation: 'not JSON' };
    default:
      return { body: Buffer.from(text.replace(/"([a-zA-Z]+)":/, '"$1":1,"$1":')), mutation: 'duplicate key' };
  }
}

/**
 * A mutant of `valid`: one to three changes to its members, sometimes a change to its bytes, and
 * sometimes another content type. `hugeStringBytes` is the longest string put in, about the route's
 * body limit (past it, to get the 413).
 */
export function mutate(valid: unknown, random: SeededRandom, hugeStringBytes: number): Mutant {
  let root = structuredClone(valid) as Json;
  const mutations: string[] = [];
  for (let count = 1 + random.int(3); count > 0; count--) {
    const changed = mutateValue(root, random, hugeStringBytes);
    root = changed.root;
    mutations.push(changed.mutation);
  }
  const text = JSON.stringify(root).replace(DEEP_IN_TEXT, (_, depth: string) => nestedText(random, Number(depth)));
  let body: Buffer = Buffer.from(text);
  if (random.chance(0.25)) {
    const changed = mutateBytes(body.toString(), random);
    body = changed.body;
    mutations.push(changed.mutation);
  }
  const contentType = random.chance(0.1) ? random.pick(CONTENT_TYPES) : 'application/json';
  if (contentType !== 'application/json') mutations.push(`sent as ${contentType}`);
  return { body, contentType, mutations };
}
