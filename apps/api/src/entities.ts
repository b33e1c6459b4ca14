import { COVERAGE_ENTITIES } from '@app/coverage';
import { INVENTORY_ENTITIES } from '@app/inventory';

/** Every entity of the product, for each app's data source and the schema checks. */
export const ENTITIES = [...INVENTORY_ENTITIES, ...COVERAGE_ENTITIES];
