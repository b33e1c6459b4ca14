import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, dataOf } from '../api';

const agencyLabel = (a: { name: string; code?: string | null }) => `${a.name} (${a.code ?? ''})`;
const unitLabel = (u: { name: string; code: string }) => `${u.name} (${u.code})`;

/**
 * A text input with suggestions from a list the API searches; the chosen option's id is the value.
 * `initial` (an id) shows that record's name, as a filter read from the address does.
 */
export function Picker({ id, kind, onPick, invalid, describedBy, initial }: { id: string; kind: 'agency' | 'unit'; onPick: (id: string) => void; invalid: boolean; describedBy?: string; initial?: string }) {
  const [text, setText] = useState('');
  // Whether the initial record's name has been put in the box (after that, an empty box is a choice).
  const [seeded, setSeeded] = useState(false);
  const known = useQuery({
    queryKey: ['pick-initial', kind, initial],
    enabled: !!initial,
    staleTime: Infinity,
    queryFn: async () =>
      kind === 'agency'
        ? agencyLabel(dataOf(await api.GET('/api/v1/agencies/{id}', { params: { path: { id: initial! } } })))
        : unitLabel(dataOf(await api.GET('/api/v1/administrative-units/{id}', { params: { path: { id: initial! } } }))),
  });
  useEffect(() => {
    if (known.data && !seeded) {
      setText((old) => old || known.data);
      setSeeded(true);
    }
  }, [known.data, seeded]);
  // An option reads "name (code)": the search is on what precedes the code.
  const q = text.replace(/\s*\([^)]*\)\s*$/, '').trim() || undefined;
  const found = useQuery({
    queryKey: ['pick', kind, q],
    queryFn: async () =>
      kind === 'agency'
        ? dataOf(await api.GET('/api/v1/agencies', { params: { query: { q, limit: 20, sort: 'name', validOn: new Date().toISOString().slice(0, 10) } } })).items.map((a) => ({ id: a.id, label: agencyLabel(a) }))
        : dataOf(await api.GET('/api/v1/administrative-units', { params: { query: { q, limit: 20 } } })).items.map((u) => ({ id: u.id, label: unitLabel(u) })),
    placeholderData: keepPreviousData,
  });
  // The id of the option typed or chosen, as soon as the options it is among have arrived; the
  // initial record's id while its name is what the box shows.
  const picked = found.data?.find((o) => o.label === text)?.id ?? (initial && text === known.data ? initial : '');
  // Until the initial record's name is in the box, the box is empty but the choice stands (the
  // name arrives one render before the box shows it: deciding then would drop the choice). Once
  // it has been shown, a box emptied by the user clears the choice.
  const waiting = !!initial && !seeded && !known.isError;
  useEffect(() => {
    if (!waiting) onPick(picked);
  }, [picked, onPick, waiting]);
  return (
    <>
      <input id={id} list={`${id}-options`} value={text} aria-invalid={invalid || undefined} aria-describedby={describedBy} onChange={(e) => setText(e.target.value)} />
      <datalist id={`${id}-options`}>
        {found.data?.map((o) => (
          <option key={o.id} value={o.label} />
        ))}
      </datalist>
    </>
  );
}
