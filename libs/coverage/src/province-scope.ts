import type { AdministrativeUnit, Scope } from '@app/inventory';

/** Whether the scope holds the whole province (the country, or the province itself): plans and reported values need it. */
export function provinceWithin(province: AdministrativeUnit, scope: Scope): boolean {
  return scope.kind === 'country' || (scope.kind === 'unit' && province.path.startsWith(scope.path));
}
