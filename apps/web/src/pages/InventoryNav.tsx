import { NavLink } from 'react-router';
import { useI18n } from '../i18n';

/** The inventory's lists, one click apart. */
export function InventoryNav() {
  const { t } = useI18n();
  return (
    <nav className="subnav" aria-label={t('inventoryMenu')}>
      <NavLink to="/devices" end>{t('devices')}</NavLink>
      <NavLink to="/agencies">{t('agencies')}</NavLink>
      <NavLink to="/lans">{t('lans')}</NavLink>
      <NavLink to="/wan-links">{t('wanLinks')}</NavLink>
      <NavLink to="/units">{t('units')}</NavLink>
    </nav>
  );
}
