import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, dataOf, type Schemas } from '../api';
import { fieldErrors } from '../forms';
import { type TextKey, useI18n } from '../i18n';

type Role = Schemas['CreateUser']['role'];
const ROLES: Role[] = ['admin', 'network_admin', 'planner', 'viewer'];

/** Accounts within the admin's scope: who they are, their role and scope; create, disable, enable. */
export function UsersPage() {
  const { t, dateTime } = useI18n();
  const client = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: async () => dataOf(await api.GET('/api/v1/users', { params: { query: { limit: 1000 } } })) });
  const [form, setForm] = useState({ username: '', displayName: '', password: '', role: 'viewer' as Role });
  const create = useMutation({
    mutationFn: async () => dataOf(await api.POST('/api/v1/users', { body: form })),
    onSuccess: () => {
      setForm({ username: '', displayName: '', password: '', role: form.role });
      void client.invalidateQueries({ queryKey: ['users'] });
    },
  });
  const toggle = useMutation({
    mutationFn: async (u: { id: string; disabled: boolean }) => dataOf(await api.PATCH('/api/v1/users/{id}', { params: { path: { id: u.id } }, body: { disabled: !u.disabled } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['users'] }),
  });
  const errors = fieldErrors(create.error);
  const input = (key: 'username' | 'displayName' | 'password', label: TextKey, type = 'text') => (
    <div className="field">
      <label htmlFor={`user-${key}`}>{t(label)}</label>
      <input
        id={`user-${key}`}
        type={type}
        autoComplete={type === 'password' ? 'new-password' : 'off'}
        value={form[key]}
        onChange={(e) => setForm({ ...form, [key]: e.target.value })}
        aria-invalid={errors[key] ? true : undefined}
        aria-describedby={errors[key] ? `user-${key}-error` : undefined}
      />
      {errors[key] && (
        <span id={`user-${key}-error`} className="error">
          {errors[key]}
        </span>
      )}
    </div>
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">{t('users')}</h1>
      <form className="register" onSubmit={submit} aria-labelledby="new-user-title">
        <h2 id="new-user-title">{t('newUser')}</h2>
        {input('username', 'username')}
        {input('displayName', 'displayName')}
        {input('password', 'password', 'password')}
        <div className="field">
          <label htmlFor="user-role">{t('role')}</label>
          <select id="user-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role_${r}` as TextKey)}
              </option>
            ))}
          </select>
        </div>
        {create.isSuccess && (
          <p role="status" className="ok">
            {t('created')}: {create.data.username}
          </p>
        )}
        <button type="submit" disabled={create.isPending}>
          {t('save')}
        </button>
      </form>
      {users.error && <p role="alert">{t('error')}: {users.error.message}</p>}
      {users.data && (
        <table className="users">
          <thead>
            <tr>
              <th scope="col">{t('username')}</th>
              <th scope="col">{t('displayName')}</th>
              <th scope="col">{t('role')}</th>
              <th scope="col">{t('area')}</th>
              <th scope="col">{t('lastSignIn')}</th>
              <th scope="col">{t('deviceStatus')}</th>
            </tr>
          </thead>
          <tbody>
            {users.data.items.map((u) => (
              <tr key={u.id} data-username={u.username}>
                <th scope="row">{u.username}</th>
                <td>{u.displayName}</td>
                <td>{t(`role_${u.role}` as TextKey)}</td>
                <td>{u.scope.kind === 'country' ? t('wholeCountry') : u.scope.name}</td>
                <td>{u.lastSignInAt ? dateTime(u.lastSignInAt) : '—'}</td>
                <td>
                  {u.disabled ? t('disabled') : t('enabled')}{' '}
                  <button type="button" onClick={() => toggle.mutate(u)}>
                    {u.disabled ? t('enable') : t('disable')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
