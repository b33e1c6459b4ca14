import { Boundaries1764400000000 } from './1764400000000-boundaries';
import { InventoryVersion1764500000000 } from './1764500000000-inventory-version';
import { Alerts1764600000000 } from './1764600000000-alerts';
import { Successions1764700000000 } from './1764700000000-successions';
import { Placements1764800000000 } from './1764800000000-placements';
import { MovesOut1764900000000 } from './1764900000000-moves-out';
import { DeviceFacts1765000000000 } from './1765000000000-device-facts';
import { Accounts1764300000000 } from './1764300000000-accounts';
import { Inventory1763800000000 } from './1763800000000-inventory';
import { Coverage1763900000000 } from './1763900000000-coverage';
import { Polling1764000000000 } from './1764000000000-polling';
import { Access1764100000000 } from './1764100000000-access';
import { PollerTruth1764200000000 } from './1764200000000-poller-truth';
import { ChassisProblem1765100000000 } from './1765100000000-chassis-problem';
import { Interfaces1765200000000 } from './1765200000000-interfaces';
import { MonitoredInterfaces1765300000000 } from './1765300000000-monitored-interfaces';
import { LinkInterfaceNames1765400000000 } from './1765400000000-link-interface-names';
import { Traffic1765500000000 } from './1765500000000-traffic';
import { MeasuredCapacity1765600000000 } from './1765600000000-measured-capacity';
import { Discovery1765700000000 } from './1765700000000-discovery';
import { Neighbours1765800000000 } from './1765800000000-neighbours';
import { TrafficWithoutForeignKeys1765900000000 } from './1765900000000-traffic-without-foreign-keys';

/** Every migration, in order. Schema changes only ever come through here. */
export const MIGRATIONS = [Inventory1763800000000, Coverage1763900000000, Polling1764000000000, Access1764100000000, PollerTruth1764200000000, Accounts1764300000000, Boundaries1764400000000, InventoryVersion1764500000000, Alerts1764600000000, Successions1764700000000, Placements1764800000000, MovesOut1764900000000, DeviceFacts1765000000000, ChassisProblem1765100000000, Interfaces1765200000000, MonitoredInterfaces1765300000000, LinkInterfaceNames1765400000000, Traffic1765500000000, MeasuredCapacity1765600000000, Discovery1765700000000, Neighbours1765800000000, TrafficWithoutForeignKeys1765900000000];
