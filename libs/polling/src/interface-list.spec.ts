import type { InterfaceListing } from '@app/snmp';
import { type KnownInterface, planInterfaces } from './interface-list';

const row = (ifIndex: number, name: string): InterfaceListing => ({ ifIndex, name, alias: null, descr: null, type: 'ethernetCsmacd', speedMbps: 1000, adminStatus: 'up', operStatus: 'up' });
const known = (id: string, ifIndex: number, name: string, gone = false): KnownInterface => ({ id, ifIndex, name, gone });
const summary = (plan: ReturnType<typeof planInterfaces>) => plan.changes.map((c) => `${c.kind} ${c.name} ${c.ifIndex}${c.previous === null ? '' : ` (was ${c.previous})`}`).sort();

describe('planInterfaces', () => {
  it('records nothing for a first listing', () => {
    const plan = planInterfaces([], [row(1, 'Gi0/1'), row(2, 'Gi0/2')]);
    expect(plan.inserts).toHaveLength(2);
    expect(plan.changes).toEqual([]);
  });

  it('follows two interfaces that swapped ifIndex by their names', () => {
    const plan = planInterfaces([known('a', 1, 'Gi0/1'), known('b', 2, 'Gi0/2')], [row(2, 'Gi0/1'), row(1, 'Gi0/2')]);
    expect(plan.updates.map((u) => [u.id, u.ifIndex])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect(summary(plan)).toEqual(['renumbered Gi0/1 2 (was 1)', 'renumbered Gi0/2 1 (was 2)']);
  });

  it('matches names listed twice by ifIndex, not by name', () => {
    const plan = planInterfaces([known('a', 1, 'eth'), known('b', 2, 'eth')], [row(1, 'eth'), row(2, 'eth')]);
    expect(plan.updates.map((u) => [u.id, u.ifIndex])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(plan.changes).toEqual([]);
  });

  it('brings back a gone interface by its name (a module put back), keeping its row', () => {
    const plan = planInterfaces([known('a', 1, 'Gi0/1'), known('g', 7, 'Gi1/1', true)], [row(1, 'Gi0/1'), row(9, 'Gi1/1')]);
    expect(plan.updates.map((u) => u.id).sort()).toEqual(['a', 'g']);
    expect(plan.inserts).toEqual([]);
    expect(summary(plan)).toEqual(['appeared Gi1/1 9']);
  });

  it('takes a new name on the same ifIndex for a rename, and a new name on a new ifIndex for a new interface', () => {
    const plan = planInterfaces([known('a', 1, 'Gi0/1'), known('b', 2, 'Gi0/2')], [row(1, 'uplink'), row(3, 'Gi0/3')]);
    expect(summary(plan)).toEqual(['appeared Gi0/3 3', 'disappeared Gi0/2 2', 'renamed uplink 1 (was Gi0/1)']);
    expect(plan.gone).toEqual(['b']);
  });
});
