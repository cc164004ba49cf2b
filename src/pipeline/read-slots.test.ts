import { describe, expect, it } from 'vitest';
import { createReadSlots } from './read-slots.js';

describe('createReadSlots', () => {
  it('lets two holders in at once, the next ones in turn as slots are released', async () => {
    const slots = createReadSlots(2);
    const a = await slots.acquire();
    const b = await slots.acquire();
    const order: string[] = [];
    const c = slots.acquire().then((release) => {
      order.push('c');
      return release;
    });
    const d = slots.acquire().then((release) => {
      order.push('d');
      return release;
    });
    await Promise.resolve();
    expect(order).toEqual([]);
    a?.();
    a?.(); // releasing twice frees one slot only
    const releaseC = await c;
    expect(order).toEqual(['c']);
    b?.();
    await d;
    expect(order).toEqual(['c', 'd']);
    releaseC?.();
  });

  it('gives up waiting when the signal aborts, and the slot goes to the next in line', async () => {
    const slots = createReadSlots(1);
    const held = await slots.acquire();
    const controller = new AbortController();
    const abandoned = slots.acquire(controller.signal);
    const next = slots.acquire();
    controller.abort();
    expect(await abandoned).toBeUndefined();
    held?.();
    expect(typeof (await next)).toBe('function');
    expect(await slots.acquire(AbortSignal.abort())).toBeUndefined();
  });
});
