import { AdminKey } from './admin-key.js';

const KEY = 'an-admin-key-0123456789';
const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

describe(AdminKey.name, () => {
  const sut = new AdminKey(KEY);

  it('takes the key as a bearer token from programs', () => {
    expect(sut.inBearer(`Bearer ${KEY}`)).toBe(true);
    expect(sut.inBearerOrBasic(`Bearer ${KEY}`)).toBe(true);
    expect(sut.inBearer(`Bearer ${KEY}x`)).toBe(false);
    expect(sut.inBearer(KEY)).toBe(false);
  });

  it('takes it as the Basic password of user admin from browsers, on the pages only', () => {
    expect(sut.inBearerOrBasic(basic(`admin:${KEY}`))).toBe(true);
    expect(sut.inBearerOrBasic(`basic  ${Buffer.from(`admin:${KEY}`).toString('base64')}`)).toBe(true);
    expect(sut.inBearer(basic(`admin:${KEY}`))).toBe(false);
  });

  it('refuses another user, another password, a malformed header and no header', () => {
    expect(sut.inBearerOrBasic(basic(`root:${KEY}`))).toBe(false);
    expect(sut.inBearerOrBasic(basic(`admin:${KEY}:`))).toBe(false);
    expect(sut.inBearerOrBasic(basic(`admin${KEY}`))).toBe(false);
    expect(sut.inBearerOrBasic(`Basic admin:${KEY}`)).toBe(false);
    expect(sut.inBearerOrBasic(undefined)).toBe(false);
  });

  it('refuses everyone without a configured key', () => {
    const unset = new AdminKey(undefined);

    expect(unset.inBearer('Bearer ')).toBe(false);
    expect(unset.inBearerOrBasic(basic('admin:'))).toBe(false);
  });
});
