/**
 * The maker of a device from its sysObjectID: the number after 1.3.6.1.4.1 (SNMP's private
 * enterprises) is the vendor's IANA Private Enterprise Number. Hardware makers only, the ones found
 * in Vietnamese provinces' networks first: an agent's software maker (Net-SNMP, 8072, on a Linux
 * server) says nothing of the hardware, and is left out.
 */
const ENTERPRISES: ReadonlyMap<number, string> = new Map([
  [9, 'Cisco'],
  [11, 'HPE'],
  [14823, 'HPE Aruba'],
  [25506, 'H3C'],
  [2011, 'Huawei'],
  [2636, 'Juniper'],
  [12356, 'Fortinet'],
  [14988, 'MikroTik'],
  [11863, 'TP-Link'],
  [674, 'Dell'],
  [6027, 'Dell'],
  [3902, 'ZTE'],
  [4881, 'Ruijie'],
  [30065, 'Arista'],
  [25461, 'Palo Alto Networks'],
  [2620, 'Check Point'],
  [3375, 'F5'],
  [41112, 'Ubiquiti'],
  [171, 'D-Link'],
  [4526, 'Netgear'],
  [890, 'Zyxel'],
  [1916, 'Extreme Networks'],
  [6486, 'Alcatel-Lucent'],
  [6574, 'Synology'],
]);

const PRIVATE_ENTERPRISES = '1.3.6.1.4.1.';

/** The enterprise number of a sysObjectID (with or without a leading dot); null when it is not under 1.3.6.1.4.1. */
export function enterpriseOf(sysObjectID: string | null | undefined): number | null {
  if (!sysObjectID) return null;
  const oid = sysObjectID.startsWith('.') ? sysObjectID.slice(1) : sysObjectID;
  if (!oid.startsWith(PRIVATE_ENTERPRISES)) return null;
  const arc = oid.slice(PRIVATE_ENTERPRISES.length).split('.')[0];
  return /^\d{1,10}$/.test(arc) ? Number(arc) : null;
}

/** The hardware maker a sysObjectID names; null when its enterprise is not one we know as such. */
export function vendorOf(sysObjectID: string | null | undefined): string | null {
  const enterprise = enterpriseOf(sysObjectID);
  return enterprise === null ? null : (ENTERPRISES.get(enterprise) ?? null);
}
