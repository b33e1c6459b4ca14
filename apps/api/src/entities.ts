import { ACCESS_ENTITIES } from '@app/access';
import { ALERTING_ENTITIES } from '@app/alerting';
import { COVERAGE_ENTITIES } from '@app/coverage';
import { INVENTORY_ENTITIES } from '@app/inventory';
import { POLLING_ENTITIES } from '@app/polling';

/** Every entity of the product, for each app's data source and the schema checks. */
export const ENTITIES = [...INVENTORY_ENTITIES, ...COVERAGE_ENTITIES, ...POLLING_ENTITIES, ...ACCESS_ENTITIES, ...ALERTING_ENTITIES];
