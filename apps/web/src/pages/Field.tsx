import type { ReactNode } from 'react';

/** What a control inside a Field carries: invalid when the server refused it, described by its error or hint. */
export interface FieldControl {
  'aria-invalid'?: true;
  'aria-describedby'?: string;
}

/**
 * A form field: its label, the control (given the aria attributes it needs), and under it the
 * hint or, when the server refused the value, the server's message (`<id>-hint`, `<id>-error`).
 */
export function Field({ id, label, hint, error, children }: { id: string; label: string; hint?: string; error?: string; children: (aria: FieldControl) => ReactNode }) {
  const describedBy = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {hint && !error && (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="error">
          {error}
        </span>
      )}
    </div>
  );
}
