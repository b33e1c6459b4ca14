/** numeric columns arrive from pg as strings; percentages are plain numbers in the API. */
export const numeric = {
  to: (v: number | null | undefined) => v,
  from: (v: string | null) => (v === null ? null : Number(v)),
};
