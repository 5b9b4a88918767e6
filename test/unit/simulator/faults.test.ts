import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FaultList, type Fault } from '../../../src/simulator/faults.js';

describe('simulator fault list', () => {
  it('applies a fault to every request when it has no times', () => {
    const faults = new FaultList('seed');
    faults.add({ kind: 'status', status: 503 });
    for (let i = 0; i < 5; i++) assert.equal(faults.take('1')?.kind, 'status');
  });

  it('drops a fault after its times are used up', () => {
    const faults = new FaultList('seed');
    faults.add({ kind: 'hang', times: 2 });
    assert.equal(faults.take('1')?.kind, 'hang');
    assert.equal(faults.take('1')?.kind, 'hang');
    assert.equal(faults.take('1'), undefined);
  });

  it('checks faults in injection order and applies the first that matches', () => {
    const faults = new FaultList('seed');
    faults.add({ kind: 'reset', siteId: '2', times: 1 });
    faults.add({ kind: 'status', status: 429, times: 1 });
    faults.add({ kind: 'malformed-json' });
    assert.equal(faults.take('1')?.kind, 'status');
    assert.equal(faults.take('1')?.kind, 'malformed-json');
    assert.equal(faults.take('2')?.kind, 'reset');
    assert.equal(faults.take('2')?.kind, 'malformed-json');
  });

  it('hits requests with the given probability, the same way for the same seed', () => {
    const draws = (seed: string): boolean[] => {
      const faults = new FaultList(seed);
      faults.add({ kind: 'status', status: 503, probability: 0.3 });
      return Array.from({ length: 1000 }, () => faults.take('1') !== undefined);
    };
    const hits = draws('a').filter(Boolean).length;
    assert.ok(hits > 230 && hits < 370, `hits ${hits}`);
    assert.deepEqual(draws('a'), draws('a'));
    assert.notDeepEqual(draws('a'), draws('b'));
  });

  it('forgets every fault on clear', () => {
    const faults = new FaultList('seed');
    faults.add({ kind: 'latency', ms: 10 });
    faults.clear();
    assert.equal(faults.take('1'), undefined);
  });

  it('rejects invalid faults with a message naming the field', () => {
    const faults = new FaultList('seed');
    const invalid: unknown[] = [
      { kind: 'status', status: 42 },
      { kind: 'latency', ms: -1 },
      { kind: 'body' },
      { kind: 'hang', times: 0 },
      { kind: 'reset', probability: 2 },
      { kind: 'teapot' },
    ];
    for (const fault of invalid) assert.throws(() => faults.add(fault as Fault), TypeError);
    assert.equal(faults.take('1'), undefined);
  });
});
