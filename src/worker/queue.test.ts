import { describe, expect, it } from 'vitest';
import { hostQueues } from './queue.js';

describe('hostQueues', () => {
  const feed = (id: number, host: string) => ({ id, url: `http://${host}/f/${id}.xml` });

  it('gives a host its slots in turn, never one beyond the per-host limit', () => {
    const feeds = [feed(1, 'a'), feed(2, 'b'), feed(3, 'a'), feed(4, 'a'), feed(5, 'b')];
    expect(hostQueues(feeds, 2, () => 0)).toEqual([
      'host:a:0',
      'host:b:0',
      'host:a:1',
      'host:a:0',
      'host:b:1',
    ]);
    // From a random first slot: a host's single feeds spread over its slots.
    expect(hostQueues([feed(1, 'a')], 3, () => 0.99)).toEqual(['host:a:2']);
    expect(hostQueues([feed(1, 'a'), feed(2, 'a')], 1)).toEqual(['host:a:0', 'host:a:0']);
  });

  it('keys a host by host and port, and still queues an unparsable URL', () => {
    expect(hostQueues([{ id: 1, url: 'http://a:8080/x' }], 2, () => 0)).toEqual(['host:a:8080:0']);
    expect(hostQueues([{ id: 2, url: 'not a url' }], 2, () => 0)).toEqual(['host:not a url:0']);
  });
});
