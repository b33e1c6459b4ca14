// The simulator ships in libs/snmp: the demo (`npm run demo`) polls it too.
export * from '../../libs/snmp/src/simulated-device';
