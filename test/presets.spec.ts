import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOGUE, PRESETS } from '@app/coverage';

/** Verbatim passages of the five source plans that hold their infrastructure targets. */
const source = (code: string) => readFileSync(join(__dirname, 'fixtures/plans', `${code}.txt`), 'utf8');
const flat = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('plan presets against the source texts', () => {
  it('ships the five plans, each for its province', () => {
    expect(PRESETS.map((p) => [p.code, p.provinceCode])).toEqual([
      ['binh-dinh-647-2012', '52'],
      ['quang-ngai-2012', '51'],
      ['binh-thuan-2018', '60'],
      ['lang-son-198-2020', '20'],
      ['quang-binh-2015', '44'],
    ]);
  });

  it('transcribes the Bình Định 647/QĐ-UBND target table cell by cell (2011–2015)', () => {
    const preset = PRESETS.find((p) => p.code === 'binh-dinh-647-2012')!;
    // The table as printed: cells between "|", a row's wording followed by its five yearly cells.
    const cells = source(preset.code).split('|').map(flat);
    const years = [2011, 2012, 2013, 2014, 2015];
    for (const target of preset.targets) {
      const at = cells.findIndex((c) => c.endsWith(flat(target.wordingVi).replace(/^Tỷ lệ /, '')) || c === flat(target.wordingVi));
      expect({ row: target.row, found: at >= 0 }).toEqual({ row: target.row, found: true });
      const fromText: Record<number, number> = {};
      years.forEach((y, i) => {
        const m = /^(\d+)%$/.exec(cells[at + 1 + i]);
        if (m) fromText[y] = Number(m[1]);
      });
      expect({ row: target.row, values: target.values }).toEqual({ row: target.row, values: fromText });
    }
    // Every infrastructure row of the table (1 to 6) is there.
    expect(preset.targets.map((t) => t.row)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(preset.targets.find((t) => t.row === '4')!.values).toEqual({ 2011: 15, 2012: 30, 2013: 40, 2014: 50, 2015: 60 });
    expect(preset.targets.find((t) => t.row === '6')!.values).toEqual({ 2011: 63, 2012: 70, 2013: 90, 2014: 100 });
  });

  it.each(PRESETS.filter((p) => p.code !== 'binh-dinh-647-2012').map((p) => [p.code, p] as const))('quotes %s word for word, with the figure it states', (_, preset) => {
    const text = flat(source(preset.code));
    for (const target of preset.targets) {
      expect(text).toContain(flat(target.wordingVi));
      const years = Object.keys(target.values).map(Number);
      expect(years).toEqual([preset.periodTo]);
      const stated = /(\d+)%/.exec(target.wordingVi);
      // "24/7" states no percentage: the data centre's target is all of its servers up all year.
      expect(stated ? Number(stated[1]) : 100).toBe(target.values[preset.periodTo]);
    }
  });

  it('refers only to catalogue indicators', () => {
    const codes = new Set(CATALOGUE.map((c) => c.code));
    expect(PRESETS.flatMap((p) => p.targets.map((t) => t.indicator)).filter((c) => !codes.has(c))).toEqual([]);
  });
});
