import { describe, expect, it } from 'vitest';
import { StoreLockedError } from './store.js';

describe('StoreLockedError', () => {
  it.each([
    [
      { pid: 1234, since: '2026-01-10T02:15:09.000Z', owner: 'orrery (pid 1234)' },
      'store/sqlite: another orrery run (pid 1234, since 02:15 UTC) holds /srv/orrery.sqlite; wait or stop it',
    ],
    [
      { pid: 99, since: '2026-01-10T23:01:00.000Z', owner: 'orrery serve' },
      'store/sqlite: another orrery run (pid 99, since 23:01 UTC, orrery serve) holds /srv/orrery.sqlite; wait or stop it',
    ],
    [undefined, 'store/sqlite: another orrery run holds /srv/orrery.sqlite; wait or stop it'],
  ])('names the holder %j', (holder, message) => {
    const err = new StoreLockedError('store/sqlite', '/srv/orrery.sqlite', holder);
    expect(err.message).toBe(message);
    expect(err.code).toBe('store-locked');
    expect(err.name).toBe('StoreLockedError');
    expect(err).toBeInstanceOf(Error);
  });
});
