export { SnmpClient, SnmpError, AUTH_PROTOCOLS, PRIV_PROTOCOLS, type AuthProtocol, type PrivProtocol, type SnmpCredentials, type SnmpTarget, type SnmpFailure, type SnmpClientOptions, type Varbind } from './snmp-client';
export { UdpSocketPool, type UdpSocketPoolStats } from './udp-socket-pool';
export { peekRequestId } from './request-id';
export { enterpriseOf, vendorOf } from './vendors';
export { readDevice, readChassis, MAX_SYS_NAME, MAX_SYS_DESCR, type DeviceReading, type InterfaceReading, type ChassisReading } from './device-reader';
export { OID, TIMETICKS_MODULUS } from './oids';
export { SimulatedDevice, type SimulatedDeviceOptions, type SimulatedInterface } from './simulated-device';
export { HostResolver, RESOLVE_RETRY_MS, RESOLVE_TTL_MS, type HostResolverOptions } from './host-resolver';
export { readInterfaces, ifTypeName, ADMIN_STATUS, OPER_STATUS, MAX_INTERFACES, type InterfaceListing } from './interfaces';
