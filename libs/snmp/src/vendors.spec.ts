import { enterpriseOf, vendorOf } from './vendors';

describe('the maker named by a sysObjectID', () => {
  it.each([
    ['1.3.6.1.4.1.9.1.1208', 'Cisco'],
    ['.1.3.6.1.4.1.2011.2.23.97', 'Huawei'],
    ['1.3.6.1.4.1.12356.101.1.843', 'Fortinet'],
    ['1.3.6.1.4.1.14988.1', 'MikroTik'],
    ['1.3.6.1.4.1.25506.1.1', 'H3C'],
    ['1.3.6.1.4.1.4881.1.1.10.1.1', 'Ruijie'],
    ['1.3.6.1.4.1.11.2.3.7.11.160', 'HPE'],
  ])('%s is %s', (oid, vendor) => expect(vendorOf(oid)).toBe(vendor));

  it('names no maker for an agent software, an unknown enterprise, or what is not an enterprise OID', () => {
    expect(enterpriseOf('1.3.6.1.4.1.8072.3.2.10')).toBe(8072);
    expect(vendorOf('1.3.6.1.4.1.8072.3.2.10')).toBeNull();
    expect(vendorOf('1.3.6.1.4.1.99999999.1')).toBeNull();
    expect(vendorOf('1.3.6.1.2.1.1')).toBeNull();
    expect(vendorOf('1.3.6.1.4.1.')).toBeNull();
    expect(vendorOf('1.3.6.1.4.10.9')).toBeNull();
    expect(vendorOf(null)).toBeNull();
  });
});
