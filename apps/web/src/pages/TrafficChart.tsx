import { useQuery } from '@tanstack/react-query';
import { api, dataOf } from '../api';
import { useI18n } from '../i18n';

const DAY = 86_400_000;

/** Bits per second as people read them: 950 kbit/s, 12.5 Mbit/s, 1.2 Gbit/s. */
function rate(bps: number, num: (n: number, digits?: number) => string): string {
  if (bps >= 1e9) return `${num(bps / 1e9, 1)} Gbit/s`;
  if (bps >= 1e6) return `${num(bps / 1e6, 1)} Mbit/s`;
  return `${num(bps / 1e3, 0)} kbit/s`;
}

/** An interface's traffic over the last day, in and out, from its 5-minute points; the busiest point and the average beside it. */
export function TrafficChart({ deviceId, interfaceId, name, contractMbps }: { deviceId: string; interfaceId: string; name: string; contractMbps?: number | null }) {
  const { t, num, dateTime } = useI18n();
  const series = useQuery({
    queryKey: ['traffic', interfaceId],
    queryFn: async () => {
      const to = new Date();
      return dataOf(
        await api.GET('/api/v1/devices/{id}/interfaces/{interfaceId}/traffic', {
          params: { path: { id: deviceId, interfaceId }, query: { from: new Date(to.getTime() - DAY).toISOString(), to: to.toISOString() } },
        }),
      ) as { points: Array<{ at: string; inBps: number; outBps: number }> };
    },
    refetchInterval: 300_000,
  });
  const points = series.data?.points ?? [];
  const w = 720;
  const h = 90;
  const now = Date.now();
  const peak = Math.max(0, ...points.map((p) => Math.max(p.inBps, p.outBps)));
  const top = Math.max(1, peak, contractMbps ? contractMbps * 1e6 : 0);
  const x = (at: string) => ((Date.parse(at) - (now - DAY)) / DAY) * w;
  const y = (bps: number) => h - (bps / top) * h;
  const line = (key: 'inBps' | 'outBps') => points.map((p) => `${x(p.at).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
  const avg = (key: 'inBps' | 'outBps') => (points.length ? points.reduce((s, p) => s + p[key], 0) / points.length : 0);
  return (
    <figure className="traffic" data-interface={name}>
      <figcaption>
        <strong>{name}</strong>{' '}
        {points.length === 0 ? (
          <span className="meta">{t('noTrafficYet')}</span>
        ) : (
          <span className="meta">
            {t('trafficIn')} {rate(avg('inBps'), num)} · {t('trafficOut')} {rate(avg('outBps'), num)} ({t('trafficAverage')}) · {t('trafficPeak')} {rate(peak, num)}
          </span>
        )}
      </figcaption>
      <svg width="100%" viewBox={`0 0 ${w} ${h + 14}`} role="img" aria-label={`${t('traffic24h')}: ${name}`}>
        <rect x="0" y="0" width={w} height={h} className="tr-bg" />
        {contractMbps ? <line x1="0" x2={w} y1={y(contractMbps * 1e6)} y2={y(contractMbps * 1e6)} className="tr-contract" /> : null}
        {points.length > 1 && <polyline points={line('inBps')} className="tr-in" />}
        {points.length > 1 && <polyline points={line('outBps')} className="tr-out" />}
        {/* The scale: the chart's top (the busiest point or the contract, whichever is higher). */}
        <text x="4" y="11" className="tl-axis">
          {rate(top, num)}
        </text>
        <text x="0" y={h + 12} className="tl-axis">
          {dateTime(new Date(now - DAY).toISOString())}
        </text>
        <text x={w} y={h + 12} textAnchor="end" className="tl-axis">
          {dateTime(new Date(now).toISOString())}
        </text>
      </svg>
    </figure>
  );
}
