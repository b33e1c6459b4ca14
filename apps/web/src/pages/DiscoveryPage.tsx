import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, ApiProblem, dataOf, type Schemas } from '../api';
import { fieldErrors } from '../forms';
import { type TextKey, useI18n } from '../i18n';
import { DEVICE_KINDS } from '../vocabulary';
import { Picker } from './Picker';

type Kind = (typeof DEVICE_KINDS)[number];

/** The stored credentials, and a form to store one more (secrets are sent, never shown back). */
function Credentials() {
  const { t } = useI18n();
  const client = useQueryClient();
  const list = useQuery({ queryKey: ['snmp-credentials'], queryFn: async () => dataOf(await api.GET('/api/v1/snmp-credentials')).items });
  const [name, setName] = useState('');
  const [version, setVersion] = useState<'2c' | '3'>('2c');
  const [secret, setSecret] = useState({ community: '', user: '', authKey: '', privKey: '' });
  const save = useMutation({
    mutationFn: async () =>
      dataOf(
        await api.PUT('/api/v1/snmp-credentials/{name}', {
          params: { path: { name } },
          body:
            version === '2c'
              ? { version, community: secret.community }
              : { version, user: secret.user, authProtocol: 'sha256', authKey: secret.authKey, ...(secret.privKey ? { privProtocol: 'aes', privKey: secret.privKey } : {}) },
        }),
      ),
    onSuccess: () => {
      setName('');
      setSecret({ community: '', user: '', authKey: '', privKey: '' });
      void client.invalidateQueries({ queryKey: ['snmp-credentials'] });
    },
  });
  const errors = fieldErrors(save.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const field = (key: keyof typeof secret, label: TextKey, type = 'password') => (
    <div className="field">
      <label htmlFor={`cred-${key}`}>{t(label)}</label>
      <input id={`cred-${key}`} type={type} autoComplete="off" value={secret[key]} aria-invalid={!!errors[key === 'user' ? 'user' : key] || undefined} onChange={(e) => setSecret({ ...secret, [key]: e.target.value })} />
      {errors[key] && <span className="error">{errors[key]}</span>}
    </div>
  );
  return (
    <section aria-labelledby="cred-title">
      <h2 id="cred-title">{t('credentials')}</h2>
      <p className="meta">{t('credentialsHelp')}</p>
      {list.data && list.data.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('credentialName')}</th>
              <th scope="col">{t('snmpVersion')}</th>
              <th scope="col">{t('securityLevel')}</th>
              <th scope="col">{t('v3User')}</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((c) => (
              <tr key={c.name}>
                <td>{c.name}</td>
                <td>{c.version === '2c' ? 'v2c' : 'v3'}</td>
                <td>{c.securityLevel}</td>
                <td>{c.user ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        !list.isPending && <p>{t('noCredentials')}</p>
      )}
      <form className="register" onSubmit={submit} aria-label={t('addCredential')}>
        <div className="field">
          <label htmlFor="cred-name">{t('credentialName')}</label>
          <input id="cred-name" value={name} placeholder="v2c-xa" aria-invalid={!!errors.name || undefined} onChange={(e) => setName(e.target.value)} />
          {errors.name && <span className="error">{errors.name}</span>}
        </div>
        <div className="field">
          <label htmlFor="cred-version">{t('snmpVersion')}</label>
          <select id="cred-version" value={version} onChange={(e) => setVersion(e.target.value as '2c' | '3')}>
            <option value="2c">v2c</option>
            <option value="3">v3 (SHA-256, AES)</option>
          </select>
        </div>
        {version === '2c' ? field('community', 'community') : (
          <>
            {field('user', 'v3User', 'text')}
            {field('authKey', 'authKey')}
            {field('privKey', 'privKey')}
          </>
        )}
        <p>
          <button type="submit" disabled={!name || save.isPending}>
            {t('save')}
          </button>
        </p>
        {save.error && !Object.keys(errors).length && <p role="alert" className="error">{save.error.message}</p>}
      </form>
    </section>
  );
}

/** The form that starts a sweep: a range or a list, and the credentials to try in order. */
function NewSweep({ onStarted }: { onStarted: (id: string) => void }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const creds = useQuery({ queryKey: ['snmp-credentials'], queryFn: async () => dataOf(await api.GET('/api/v1/snmp-credentials')).items });
  const [range, setRange] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [rate, setRate] = useState('50');
  const [port, setPort] = useState('161');
  const start = useMutation({
    mutationFn: async () => {
      const words = range.split(/[\s,;]+/).filter(Boolean);
      const target = words.length === 1 && words[0].includes('/') ? { cidr: words[0] } : { addresses: words };
      return dataOf(await api.POST('/api/v1/discoveries', { body: { ...target, credentials: chosen, ratePerSecond: Number(rate), port: Number(port) } }));
    },
    onSuccess: (d) => {
      void client.invalidateQueries({ queryKey: ['discoveries'] });
      onStarted(d.id);
    },
  });
  const errors = fieldErrors(start.error);
  const rangeError = errors.cidr ?? errors.addresses;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    start.mutate();
  };
  return (
    <form className="register" onSubmit={submit} aria-labelledby="sweep-title">
      <h2 id="sweep-title">{t('newSweep')}</h2>
      <div className="field">
        <label htmlFor="sweep-range">{t('sweepRange')}</label>
        <textarea id="sweep-range" rows={2} value={range} placeholder="10.52.4.0/24" aria-invalid={!!rangeError || undefined} aria-describedby="sweep-range-help" onChange={(e) => setRange(e.target.value)} />
        <span id="sweep-range-help" className="meta">
          {t('sweepRangeHelp')}
        </span>
        {rangeError && <span className="error">{rangeError}</span>}
      </div>
      <fieldset className="field">
        <legend>{t('credentialsToTry')}</legend>
        {creds.data?.map((c) => (
          <label key={c.name} className="check">
            <input type="checkbox" checked={chosen.includes(c.name)} onChange={(e) => setChosen(e.target.checked ? [...chosen, c.name] : chosen.filter((n) => n !== c.name))} /> {c.name}
            {chosen.includes(c.name) && ` (${chosen.indexOf(c.name) + 1})`}
          </label>
        ))}
        {errors.credentials && <span className="error">{errors.credentials}</span>}
      </fieldset>
      <div className="field">
        <label htmlFor="sweep-rate">{t('sweepRate')}</label>
        <input id="sweep-rate" type="number" min={1} max={200} value={rate} aria-invalid={!!errors.ratePerSecond || undefined} onChange={(e) => setRate(e.target.value)} />
        {errors.ratePerSecond && <span className="error">{errors.ratePerSecond}</span>}
      </div>
      <div className="field">
        <label htmlFor="sweep-port">{t('snmpPort')}</label>
        <input id="sweep-port" type="number" min={1} max={65535} value={port} aria-invalid={!!errors.port || undefined} onChange={(e) => setPort(e.target.value)} />
        {errors.port && <span className="error">{errors.port}</span>}
      </div>
      <p>
        <button type="submit" disabled={!range.trim() || chosen.length === 0 || start.isPending}>
          {t('startSweep')}
        </button>
      </p>
      {start.error && !rangeError && !errors.credentials && !errors.ratePerSecond && !errors.port && <p role="alert" className="error">{start.error.message}</p>}
    </form>
  );
}

type Result = NonNullable<Schemas['DiscoveryResult']> & { matches: Array<{ deviceId: string; name: string | null; by: string[] }> };

/** One sweep: its progress, what answered, and the registration of the rows picked. */
function Sweep({ id }: { id: string }) {
  const { t, num, dateTime } = useI18n();
  const client = useQueryClient();
  const sweep = useQuery({
    queryKey: ['discovery', id],
    queryFn: async () => dataOf(await api.GET('/api/v1/discoveries/{id}', { params: { path: { id } } })),
    refetchInterval: (q) => (q.state.data?.state === 'running' ? 1000 : false),
  });
  const [picked, setPicked] = useState<Record<string, Kind>>({});
  const [agencyId, setAgencyId] = useState('');
  const onPick = useCallback((v: string) => setAgencyId(v), []);
  const cancel = useMutation({
    mutationFn: async () => dataOf(await api.POST('/api/v1/discoveries/{id}/cancel', { params: { path: { id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['discovery', id] }),
  });
  const addresses = Object.keys(picked);
  // The list of sweeps shows each one's state too: told when this one's changes.
  const state = sweep.data?.state;
  useEffect(() => {
    if (state) void client.invalidateQueries({ queryKey: ['discoveries'] });
  }, [state, client]);
  const register = useMutation({
    mutationFn: async () =>
      dataOf(await api.POST('/api/v1/discoveries/{id}/register', { params: { path: { id } }, body: { agencyId, devices: addresses.map((address) => ({ address, kind: picked[address] })) } })),
    onSuccess: () => {
      setPicked({});
      void client.invalidateQueries({ queryKey: ['discovery', id] });
    },
  });
  if (!sweep.data) return sweep.error ? <p role="alert">{sweep.error.message}</p> : <p className="loading">{t('loading')}</p>;
  const d = sweep.data;
  const results = d.results as Result[];
  const problems = register.error instanceof ApiProblem ? (register.error.problem?.errors ?? []) : [];
  const problemOf = (address: string) => problems.filter((p) => p.field.startsWith(`devices[${addresses.indexOf(address)}]`)).map((p) => p.message);
  return (
    <section aria-labelledby="sweep-result-title" className="sweep">
      <h2 id="sweep-result-title">
        {t('sweep')} {(d.request as { cidr: string | null }).cidr ?? `${num(d.total)} ${t('addressesWord')}`} · {t(`sweep_${d.state}` as TextKey)}
      </h2>
      <p role="status" className="meta">
        <progress max={d.total} value={d.probed} aria-label={t('probed')} /> {t('probed')} {num(d.probed)}/{num(d.total)} · {t('answeredCount')} {num(d.answered)} · {t('startedAt')} {dateTime(d.startedAt)} · {d.requestedBy}
        {d.state === 'running' && (
          <>
            {' '}
            <button type="button" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
              {t('cancelSweep')}
            </button>
          </>
        )}
      </p>
      {results.length === 0 ? (
        <p>{d.state === 'running' ? t('noAnswerYet') : t('noAnswer')}</p>
      ) : (
        <table className="discovered">
          <thead>
            <tr>
              <th scope="col">{t('pick')}</th>
              <th scope="col">{t('address')}</th>
              <th scope="col">sysName</th>
              <th scope="col">{t('makerModel')}</th>
              <th scope="col">{t('serialNumber')}</th>
              <th scope="col">{t('credentialUsed')}</th>
              <th scope="col">{t('inInventory')}</th>
              <th scope="col">{t('kind')}</th>
            </tr>
          </thead>
          <tbody>
            {results.map((r) => {
              const rowProblems = problemOf(r.address);
              return (
                <tr key={r.address} data-outcome={r.outcome}>
                  <td>
                    {r.outcome === 'answered' && (
                      <input
                        type="checkbox"
                        aria-label={`${t('pick')} ${r.address}`}
                        checked={r.address in picked}
                        onChange={(e) => {
                          const next = { ...picked };
                          if (e.target.checked) next[r.address] = 'switch';
                          else delete next[r.address];
                          setPicked(next);
                        }}
                      />
                    )}
                  </td>
                  <td>{r.address}</td>
                  <td>
                    {r.outcome === 'answered' ? r.sysName : <span className="error">{t(`outcome_${r.outcome}` as TextKey)}: {r.problem}</span>}
                    {r.sysDescr && <div className="meta">{r.sysDescr}</div>}
                    {r.sysLocation && <div className="meta">{r.sysLocation}</div>}
                    {rowProblems.map((m) => (
                      <div key={m} className="error" role="alert">
                        {m}
                      </div>
                    ))}
                  </td>
                  <td>{[r.manufacturer, r.model].filter(Boolean).join(' ')}</td>
                  <td>{r.serialNumber ?? ''}</td>
                  <td>{r.credentialName ?? ''}</td>
                  <td>
                    {r.matches.map((m) => (
                      <div key={m.deviceId}>
                        <Link to={`/devices/${m.deviceId}`}>{m.name ?? m.deviceId}</Link> <span className="meta">({m.by.map((b) => t(`matchBy_${b}` as TextKey)).join(', ')})</span>
                      </div>
                    ))}
                  </td>
                  <td>
                    {r.address in picked && (
                      <select aria-label={`${t('kind')} ${r.address}`} value={picked[r.address]} onChange={(e) => setPicked({ ...picked, [r.address]: e.target.value as Kind })}>
                        {DEVICE_KINDS.map((k) => (
                          <option key={k} value={k}>
                            {t(`kind_${k}` as TextKey)}
                          </option>
                        ))}
                      </select>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {results.some((r) => r.outcome === 'answered') && (
        <form
          className="register"
          onSubmit={(e) => {
            e.preventDefault();
            register.mutate();
          }}
        >
          <div className="field">
            <label htmlFor="register-agency">{t('registerUnder')}</label>
            <Picker id="register-agency" kind="agency" onPick={onPick} invalid={!!fieldErrors(register.error).agencyId} />
          </div>
          <p>
            <button type="submit" disabled={addresses.length === 0 || !agencyId || register.isPending}>
              {t('registerPicked')} ({num(addresses.length)})
            </button>
          </p>
          {register.error && <p role="alert" className="error">{register.error.message}</p>}
          {register.data && (
            <p role="status" className="ok">
              {t('registeredCount')}: {register.data.items.map((dev) => dev.name).join(', ')}
            </p>
          )}
        </form>
      )}
    </section>
  );
}

/** Discovery: sweep a range for SNMP agents with stored credentials, and register what answered. */
export function DiscoveryPage() {
  const { t, num, dateTime } = useI18n();
  const [selected, setSelected] = useState<string | null>(null);
  const list = useQuery({ queryKey: ['discoveries'], queryFn: async () => dataOf(await api.GET('/api/v1/discoveries')).items, refetchInterval: 5000 });
  const shown = selected ?? list.data?.[0]?.id ?? null;
  return (
    <section aria-labelledby="discovery-title">
      <h1 id="discovery-title">{t('discovery')}</h1>
      <p className="meta">{t('discoveryHelp')}</p>
      <div className="discovery-forms">
        <NewSweep onStarted={setSelected} />
        <Credentials />
      </div>
      {list.data && list.data.length > 0 && (
        <nav aria-label={t('sweeps')} className="sweeps">
          <h2>{t('sweeps')}</h2>
          <ul>
            {list.data.map((d) => (
              <li key={d.id}>
                <button type="button" className="link" aria-current={d.id === shown || undefined} onClick={() => setSelected(d.id)}>
                  {dateTime(d.startedAt)} · {(d.request as { cidr: string | null }).cidr ?? `${num(d.total)} ${t('addressesWord')}`} · {t(`sweep_${d.state}` as TextKey)} · {t('answeredCount')} {num(d.answered)}
                </button>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {shown && <Sweep key={shown} id={shown} />}
    </section>
  );
}
