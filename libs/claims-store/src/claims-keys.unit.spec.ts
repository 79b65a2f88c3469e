import { ClaimsKeys, lookupHash } from './claims-keys.js';

describe('ClaimsKeys.deliveryAnswer', () => {
  const keys = new ClaimsKeys('p');
  const kim = { by: 'subject', value: 'kim' } as const;
  const login = { by: 'name', value: 'kim@example.org' } as const;

  it('gives a delivery the same key at each retry, and another key for another subject', () => {
    const delivery = { route: '/hooks/kratos/settings', id: 'trigger-1', lookups: [kim, login] };

    expect(keys.deliveryAnswer(delivery)).toBe(keys.deliveryAnswer({ ...delivery, lookups: [{ ...kim }, { ...login }] }));
    expect(keys.deliveryAnswer(delivery)).not.toBe(keys.deliveryAnswer({ ...delivery, lookups: [{ by: 'subject', value: 'lee' }, login] }));
  });

  it('cannot be reached by a delivery id that spells out another delivery’s lookups', () => {
    const asked = { route: '/hooks/kratos/settings', id: 'trigger-1', lookups: [kim, login] };
    const forged = { route: '/hooks/kratos/settings', id: `trigger-1 subject:${lookupHash(kim)}`, lookups: [login] };

    expect(keys.deliveryAnswer(forged)).not.toBe(keys.deliveryAnswer(asked));
  });
});
