import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { NavLink, Navigate, Route, Routes } from 'react-router';
import { api, ApiProblem, dataOf, setCsrfToken } from './api';
import { useI18n } from './i18n';
import { ChannelsPage, IncidentsPage, RulesPage } from './pages/AlertsPage';
import { DevicePage } from './pages/DevicePage';
import { DevicesPage } from './pages/DevicesPage';
import { DiscoveryPage } from './pages/DiscoveryPage';
import { FleetPage } from './pages/FleetPage';
import { ImportPage } from './pages/ImportPage';
import { AgenciesPage, LansPage, UnitsPage, WanLinksPage } from './pages/InventoryListPage';
import { OverviewPage } from './pages/OverviewPage';
import { PlanPage } from './pages/PlanPage';
import { SignInPage } from './pages/SignInPage';
import { TargetPage } from './pages/TargetPage';
import { UsersPage } from './pages/UsersPage';

/** The signed-in person, or null (the console then shows the sign-in page). */
export function useSession() {
  return useQuery({
    queryKey: ['session'],
    queryFn: async () => {
      const r = await api.GET('/api/v1/session');
      if (r.response.status === 401) return null;
      const s = dataOf(r);
      setCsrfToken(s.csrfToken ?? null);
      return s;
    },
    staleTime: Infinity,
  });
}

export function App() {
  const { t, lang, setLang } = useI18n();
  const session = useSession();
  const client = useQueryClient();
  const signOut = useMutation({
    mutationFn: async () => {
      await api.DELETE('/api/v1/session');
      setCsrfToken(null);
    },
    onSuccess: () => client.clear(),
  });

  if (session.isPending) return <p className="loading">{t('loading')}</p>;
  if (session.error) return <p role="alert">{t('error')}: {session.error instanceof ApiProblem ? session.error.message : String(session.error)}</p>;
  if (!session.data) return <SignInPage />;
  const user = session.data.user;
  const can = (p: string) => session.data!.permissions.includes(p);

  return (
    <>
      <a className="skip" href="#main">
        {t('skip')}
      </a>
      <header className="top">
        <span className="brand">Hatang</span>
        <nav aria-label={t('nav')}>
          {can('coverage:read') && <NavLink to="/plans">{t('plans')}</NavLink>}
          {can('coverage:read') && <NavLink to="/overview">{t('overview')}</NavLink>}
          {can('inventory:read') && <NavLink to="/devices">{t('devices')}</NavLink>}
          {can('inventory:read') && <NavLink to="/fleet">{t('fleet')}</NavLink>}
          {can('inventory:read') && <NavLink to="/alerts">{t('alerts')}</NavLink>}
          {can('inventory:write') && <NavLink to="/discovery">{t('discovery')}</NavLink>}
          {can('inventory:write') && <NavLink to="/import">{t('import')}</NavLink>}
          {can('tokens:manage') && <NavLink to="/users">{t('users')}</NavLink>}
        </nav>
        <div className="who">
          <button type="button" className="link" onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')} title={t('languageLabel')} lang={lang === 'vi' ? 'en' : 'vi'}>
            {t('language')}
          </button>
          <span className="user">
            {user.displayName}
            {user.scope ? ` · ${user.scope.kind === 'country' ? t('wholeCountry') : user.scope.name}` : ''}
          </span>
          <button type="button" onClick={() => signOut.mutate()}>
            {t('signOut')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Routes>
          <Route path="/" element={<Navigate to={can('coverage:read') ? '/plans' : '/fleet'} replace />} />
          {can('coverage:read') && <Route path="/plans/:planId?" element={<PlanPage canWrite={can('plans:write')} />} />}
          {can('coverage:read') && <Route path="/plans/:planId/targets/:indicator" element={<TargetPage canWrite={can('plans:write')} />} />}
          {can('coverage:read') && <Route path="/overview" element={<OverviewPage />} />}
          {can('inventory:read') && <Route path="/devices" element={<DevicesPage canWrite={can('inventory:write')} />} />}
          {can('inventory:read') && <Route path="/agencies" element={<AgenciesPage canWrite={can('inventory:write')} />} />}
          {can('inventory:read') && <Route path="/lans" element={<LansPage canWrite={can('inventory:write')} />} />}
          {can('inventory:read') && <Route path="/wan-links" element={<WanLinksPage canWrite={can('inventory:write')} />} />}
          {can('inventory:read') && <Route path="/units" element={<UnitsPage canWrite={can('units:write')} />} />}
          {can('inventory:read') && <Route path="/devices/:id" element={<DevicePage canReadAudit={can('audit:read')} canWrite={can('inventory:write')} />} />}
          {can('inventory:read') && <Route path="/fleet" element={<FleetPage />} />}
          {can('inventory:read') && <Route path="/alerts" element={<IncidentsPage canWrite={can('inventory:write')} />} />}
          {can('inventory:read') && <Route path="/alerts/rules" element={<RulesPage canWrite={can('inventory:write')} />} />}
          {can('inventory:read') && <Route path="/alerts/channels" element={<ChannelsPage canWrite={can('inventory:write')} />} />}
          {can('inventory:write') && <Route path="/discovery" element={<DiscoveryPage />} />}
          {can('inventory:write') && <Route path="/import" element={<ImportPage />} />}
          {can('tokens:manage') && <Route path="/users" element={<UsersPage />} />}
          <Route path="*" element={<Navigate to="/" replace />} />
        </Routes>
      </main>
    </>
  );
}
