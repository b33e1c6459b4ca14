import { addressesOf, canonicalAddress, compareAddresses } from './address-range';

describe('addressesOf', () => {
  it('lists a /24 without its network and broadcast addresses', () => {
    const r = addressesOf('10.52.4.0/24');
    if (!('addresses' in r)) throw new Error(r.problem);
    expect(r.addresses).toHaveLength(254);
    expect(r.addresses[0]).toBe('10.52.4.1');
    expect(r.addresses[253]).toBe('10.52.4.254');
  });

  it('takes host bits as the same range, and a /22 as 1,022 addresses across its octets', () => {
    const r = addressesOf('10.52.7.9/22');
    if (!('addresses' in r)) throw new Error(r.problem);
    expect(r.addresses).toHaveLength(1022);
    expect(r.addresses[0]).toBe('10.52.4.1');
    expect(r.addresses[255]).toBe('10.52.5.0');
    expect(r.addresses.at(-1)).toBe('10.52.7.254');
  });

  it('keeps both addresses of a /31 and the one of a /32', () => {
    expect(addressesOf('127.0.0.8/31')).toEqual({ addresses: ['127.0.0.8', '127.0.0.9'] });
    expect(addressesOf('127.0.0.8/32')).toEqual({ addresses: ['127.0.0.8'] });
  });

  it('lists IPv6 up to a /118', () => {
    const r = addressesOf('fd00::100/120');
    if (!('addresses' in r)) throw new Error(r.problem);
    expect(r.addresses).toHaveLength(256);
    expect(r.addresses[1]).toBe('fd00::101');
    expect(r.addresses.at(-1)).toBe('fd00::1ff');
    expect(addressesOf('fd00::/117')).toEqual({ problem: expect.stringContaining('at most a /118') });
  });

  it('refuses ranges wider than a /22 and what is not a range, saying why', () => {
    expect(addressesOf('10.52.0.0/16')).toEqual({ problem: 'cidr /16 is 65,536 addresses; a discovery probes at most a /22 (1,024 addresses) at a time: split the range' });
    for (const bad of ['10.52.4.0', '10.52.4/24', '10.52.4.0/33', 'ten/24', '010.52.4.0/24', '']) {
      expect(addressesOf(bad)).toEqual({ problem: expect.stringContaining('is not a range') });
    }
  });

  it('orders addresses as numbers, IPv4 first', () => {
    expect(['10.0.0.10', 'fd00::1', '10.0.0.9', '9.255.0.1'].sort(compareAddresses)).toEqual(['9.255.0.1', '10.0.0.9', '10.0.0.10', 'fd00::1']);
  });

  it('writes addresses canonically for matching', () => {
    expect(canonicalAddress('FD00:0:0::1')).toBe('fd00::1');
    expect(canonicalAddress('10.0.0.1')).toBe('10.0.0.1');
  });
});
