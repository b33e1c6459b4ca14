import { useI18n } from './i18n';

/** Previous / next over a list of `total` rows shown `size` at a time from `offset`. */
export function Pager({ offset, shown, total, size, onOffset }: { offset: number; shown: number; total: number; size: number; onOffset: (offset: number) => void }) {
  const { t, num } = useI18n();
  return (
    <nav className="pager" aria-label={t('pages')}>
      <button type="button" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - size))}>
        ← {t('previous')}
      </button>
      <span aria-live="polite">
        {num(total ? offset + 1 : 0)}–{num(offset + shown)} / {num(total)}
      </span>
      <button type="button" disabled={offset + size >= total} onClick={() => onOffset(offset + size)}>
        {t('next')} →
      </button>
    </nav>
  );
}
