import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, ApiProblem, dataOf, setCsrfToken } from '../api';
import { useI18n } from '../i18n';

export function SignInPage() {
  const { t, lang, setLang } = useI18n();
  const client = useQueryClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useMutation({
    mutationFn: async () => dataOf(await api.POST('/api/v1/session', { body: { username, password } })),
    onSuccess: (s) => {
      setCsrfToken(s.csrfToken ?? null);
      client.setQueryData(['session'], s);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate();
  };
  const problem = signIn.error instanceof ApiProblem ? signIn.error : null;
  return (
    <main id="main" className="signin">
      <h1>{t('appName')}</h1>
      <form onSubmit={submit} aria-describedby={problem ? 'signin-error' : undefined}>
        <label htmlFor="username">{t('username')}</label>
        <input id="username" name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
        <label htmlFor="password">{t('password')}</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        {problem && (
          <p id="signin-error" role="alert" className="error">
            {problem.message}
          </p>
        )}
        <button type="submit" disabled={signIn.isPending}>
          {signIn.isPending ? t('signingIn') : t('signIn')}
        </button>
      </form>
      <button type="button" className="link" onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')} title={t('languageLabel')}>
        {t('language')}
      </button>
    </main>
  );
}
