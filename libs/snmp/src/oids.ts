/** The objects a poll reads. */
export const OID = {
  sysDescr: '1.3.6.1.2.1.1.1.0',
  sysObjectID: '1.3.6.1.2.1.1.2.0',
  sysUpTime: '1.3.6.1.2.1.1.3.0',
  sysName: '1.3.6.1.2.1.1.5.0',
  sysContact: '1.3.6.1.2.1.1.4.0',
  sysLocation: '1.3.6.1.2.1.1.6.0',
  /** SNMP-FRAMEWORK-MIB: reboots (agent restarts) and seconds since the last one. */
  snmpEngineBoots: '1.3.6.1.6.3.10.2.1.2.0',
  snmpEngineTime: '1.3.6.1.6.3.10.2.1.3.0',
  /** HOST-RESOURCES-MIB: time since the host (not the agent) booted, in hundredths. */
  hrSystemUptime: '1.3.6.1.2.1.25.1.1.0',
  /** IF-MIB ifTable columns. */
  ifDescr: '1.3.6.1.2.1.2.2.1.2',
  ifType: '1.3.6.1.2.1.2.2.1.3',
  ifSpeed: '1.3.6.1.2.1.2.2.1.5',
  ifAdminStatus: '1.3.6.1.2.1.2.2.1.7',
  ifOperStatus: '1.3.6.1.2.1.2.2.1.8',
  ifInErrors: '1.3.6.1.2.1.2.2.1.14',
  ifOutErrors: '1.3.6.1.2.1.2.2.1.20',
  /** IF-MIB ifXTable columns. */
  ifName: '1.3.6.1.2.1.31.1.1.1.1',
  ifAlias: '1.3.6.1.2.1.31.1.1.1.18',
  ifHCInOctets: '1.3.6.1.2.1.31.1.1.1.6',
  ifHCOutOctets: '1.3.6.1.2.1.31.1.1.1.10',
  ifHighSpeed: '1.3.6.1.2.1.31.1.1.1.15',
  /** ENTITY-MIB, entPhysicalTable columns. */
  entPhysicalClass: '1.3.6.1.2.1.47.1.1.1.1.5',
  entPhysicalSerialNum: '1.3.6.1.2.1.47.1.1.1.1.11',
  entPhysicalMfgName: '1.3.6.1.2.1.47.1.1.1.1.12',
  entPhysicalModelName: '1.3.6.1.2.1.47.1.1.1.1.13',
  /** LLDP-MIB (IEEE 802.1AB): the device's own ports, and what it hears on them. */
  lldpLocPortId: '1.0.8802.1.1.2.1.3.7.1.3',
  lldpLocPortDesc: '1.0.8802.1.1.2.1.3.7.1.4',
  lldpRemChassisIdSubtype: '1.0.8802.1.1.2.1.4.1.1.4',
  lldpRemChassisId: '1.0.8802.1.1.2.1.4.1.1.5',
  lldpRemPortIdSubtype: '1.0.8802.1.1.2.1.4.1.1.6',
  lldpRemPortId: '1.0.8802.1.1.2.1.4.1.1.7',
  lldpRemPortDesc: '1.0.8802.1.1.2.1.4.1.1.8',
  lldpRemSysName: '1.0.8802.1.1.2.1.4.1.1.9',
  /** lldpRemManAddrIfSubtype: walked for its index, which carries the neighbour's management address. */
  lldpRemManAddrIfSubtype: '1.0.8802.1.1.2.1.4.2.1.3',
} as const;

/** entPhysicalClass chassis(3): the box whose serial and model the inventory wants. */
export const ENT_PHYSICAL_CLASS_CHASSIS = 3;

/** sysUpTime and hrSystemUptime are 32-bit TimeTicks (hundredths): they wrap after 497.1 days. */
export const TIMETICKS_MODULUS = 2 ** 32;
