export * from './entities';
export { PollingModule, type PollingModuleOptions } from './polling.module';
export { Poller, BEAT_EVERY_MS, type PollerOptions } from './poller';
export { PollingStore, type PollTarget, type PollRecord } from './polling-store';
export { PollingMetrics } from './polling-metrics';
export { SecretBox } from './secret-box';
export { AvailabilityService, availabilitySql, type AvailabilityReport, type DeviceAvailability } from './availability.service';
export { SnmpProfilesService, type SnmpProfileView } from './snmp-profiles.service';
export { applyPoll, emptyMemory, type DeviceMemory, type PollOutcome, type LedgerEvent, type CarriedLink } from './poll-state';
