import { Inventory1763800000000 } from './1763800000000-inventory';

/** Every migration, in order. Schema changes only ever come through here. */
export const MIGRATIONS = [Inventory1763800000000];
