import { fold } from '../shared/fold';

/**
 * Reading the official "before" texts of the 2025 reorganisation ("Phường Đống Đa (thành phố Quy
 * Nhơn), Phường Hải Cảng, Xã Cát Tiến (phần còn lại sau khi sáp nhập vào phường X)") into the old
 * units each new commune was formed from. Pure: the old units and the texts come in, proposals
 * come out, each one resolved to exactly one old unit or listed with its candidates for a person.
 */

/** An old unit, as the list before the reorganisation has it. */
export interface OldUnit {
  code: string;
  name: string;
  type: string;
  level: 'province' | 'district' | 'commune';
  /** The district's code for a commune, the province's for a district; null for a province. */
  parentCode: string | null;
}

/** A new commune and the text naming what it was formed from. */
export interface NewCommune {
  code: string;
  fullName: string;
  provinceCode: string;
  before: string | null;
}

/** One name of a "before" text. */
export interface BeforeItem {
  /** As written. */
  text: string;
  /** Xã, Phường, Thị trấn, Huyện; inherited from the item before when the text leaves it out. */
  type: string | null;
  name: string;
  /** A district named in parentheses ("thành phố Quy Nhơn", "Quận 5"), its type word removed. */
  district: string | null;
  /** "(phần còn lại sau khi sáp nhập vào …)": only part of the old unit went into this new commune. */
  part: boolean;
}

export type ProposalStatus = 'resolved' | 'ambiguous' | 'unmatched';

export interface Proposal {
  newCode: string;
  item: BeforeItem;
  status: ProposalStatus;
  /** The old unit, when exactly one fits. */
  oldCode: string | null;
  /** Every old unit that fits, for a person to pick from when more than one (or none) does. */
  candidates: string[];
  /** How it was decided, for the person checking it. */
  how: string;
  /**
   * `part` when the old unit went into more than one new commune (a split): the texts mark only
   * the remainder ("phần còn lại"), so any old unit named by two new communes is split between them.
   */
  share: 'whole' | 'part';
}

const UNIT_TYPES = ['xã', 'phường', 'thị trấn', 'đặc khu', 'huyện'];
const DISTRICT_TYPES = ['thành phố', 'thị xã', 'quận', 'huyện'];
/** Vietnamese tone marks (as combining characters): placed on different vowels by old and new spelling. */
const TONES = /[\u0300\u0301\u0303\u0309\u0323]/g;

/**
 * A name's key: lower case, each syllable's tone mark moved to its end, so the old and the new
 * placement of the tone ("Hoà" / "Hòa", "Thuỷ" / "Thủy") meet while different tones stay apart;
 * apostrophes and spaces made regular; numbers without leading zeros ("Phường 01" is "Phường 1").
 */
export function nameKey(name: string): string {
  return name
    .normalize('NFD')
    .toLowerCase()
    .replace(/[’`´]/g, "'")
    .replace(/[-–]/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => {
      const tones = w.match(TONES)?.join('') ?? '';
      const base = w.replace(TONES, '');
      return /^\d+$/.test(base) ? String(Number(base)) : base + tones;
    })
    .join(' ')
    .normalize('NFC');
}

/** A looser key for names no strict key finds: no diacritics at all (Đăk / Đắk, Krông / Krong). */
function looseKey(name: string): string {
  return fold(nameKey(name)).replace(/'/g, '');
}

/** The loosest: no diacritics and no spaces either ("Thảo Ngu yên" in a text, "Thảo Nguyên" in the list). */
function compactKey(name: string): string {
  return looseKey(name).replace(/ /g, '');
}

/**
 * A unit's name without its type in front, as the texts write names after their type: the
 * lists write "Thị Trấn Mường Chà" and "Thị trấn NT Liên Sơn" (NT, N.T: nông trường).
 */
export function bareName(name: string, type?: string): string {
  let n = name.replace(/\s+/g, ' ').trim();
  for (const t of [type, ...UNIT_TYPES, ...DISTRICT_TYPES, 'tỉnh']) {
    if (t && n.toLowerCase().startsWith(`${t.toLowerCase()} `)) {
      n = n.slice(t.length + 1);
      break;
    }
  }
  return n.replace(/^(N\.\s?T\.?|NT)\s+/i, 'Nông trường ');
}

function typeOf(word: string): string | null {
  const w = word.toLowerCase();
  return UNIT_TYPES.find((t) => w === t) ?? null;
}

/** Splits a "before" text into its names, at commas outside parentheses. */
export function parseBefore(text: string, selfName?: string): BeforeItem[] {
  const t = text.trim();
  // "giữ nguyên": the commune was kept as it was.
  if (/^giữ nguyên\.?$/i.test(t.normalize('NFC'))) return selfName ? parseBefore(selfName) : [];
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of t) {
    if (ch === '(') depth++;
    if (ch === ')') depth = Math.max(0, depth - 1);
    if ((ch === ',' || ch === ';') && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  const items: BeforeItem[] = [];
  let lastType: string | null = null;
  for (const raw of parts.map((p) => p.replace(/\s+/g, ' ').trim()).filter(Boolean)) {
    let rest = raw.replace(/\.$/, '');
    let district: string | null = null;
    let part = false;
    for (const q of [...rest.matchAll(/\(([^)]*)\)/g)].map((m) => m[1].trim())) {
      const lower = q.toLowerCase();
      if (lower.startsWith('phần còn lại') || lower.startsWith('phần') || lower.includes('sau khi sáp nhập')) part = true;
      else {
        const dtype = DISTRICT_TYPES.find((d) => lower.startsWith(`${d} `));
        if (dtype) district = q.slice(dtype.length).trim();
      }
    }
    rest = rest.replace(/\s*\([^)]*\)/g, '').trim();
    // The type is the first one or two words when they are a unit's type.
    let type: string | null = null;
    const words = rest.split(' ');
    for (const n of [2, 1]) {
      const t2 = typeOf(words.slice(0, n).join(' '));
      if (t2 && words.length > n) {
        type = t2;
        rest = words.slice(n).join(' ');
        break;
      }
    }
    if (type) lastType = type;
    items.push({ text: raw, type: type ?? lastType, name: rest, district, part });
  }
  return items;
}

interface Indexed {
  unit: OldUnit;
  province: string;
  district: OldUnit | null;
}

/**
 * Proposes, for every name of every new commune's text, the old unit it names. An old commune is
 * looked for by its name key and type, among the old provinces the new province was formed from
 * (found from the names that match one unit in the whole country), then narrowed by the district
 * the text names, then by the district of the other names of the same text (merged communes are
 * neighbours); a name the strict key does not find is tried without diacritics.
 */
export function proposeSuccessions(oldUnits: OldUnit[], communes: NewCommune[]): Proposal[] {
  const byCode = new Map(oldUnits.map((u) => [u.code, u]));
  const provinceOf = (u: OldUnit): string => (u.level === 'province' ? u.code : provinceOf(byCode.get(u.parentCode!)!));
  const strict = new Map<string, Indexed[]>();
  const loose = new Map<string, Indexed[]>();
  const compact = new Map<string, Indexed[]>();
  for (const u of oldUnits) {
    if (u.level === 'province') continue;
    const entry: Indexed = { unit: u, province: provinceOf(u), district: u.level === 'commune' ? (byCode.get(u.parentCode!) ?? null) : null };
    const bare = bareName(u.name, u.type);
    for (const [map, key] of [
      [strict, nameKey(bare)],
      [loose, looseKey(bare)],
      [compact, compactKey(bare)],
    ] as const) {
      const list = map.get(key) ?? [];
      list.push(entry);
      map.set(key, list);
    }
  }
  const typeFits = (e: Indexed, type: string | null) => {
    if (!type) return e.unit.level === 'commune';
    if (type === 'huyện') return e.unit.level === 'district';
    return e.unit.level === 'commune' && e.unit.type.toLowerCase() === type;
  };
  const districtKey = (d: OldUnit) => nameKey(bareName(d.name, d.type));
  const find = (item: BeforeItem, within?: Set<string>): { found: Indexed[]; how: string } => {
    const inScope = (list: Indexed[]) => (within ? list.filter((e) => within.has(e.province)) : list);
    const name = bareName(item.name);
    for (const [map, key, how] of [
      [strict, nameKey(name), 'name'],
      [loose, looseKey(name), 'name without diacritics'],
      [compact, compactKey(name), 'name without diacritics or spaces'],
    ] as const) {
      const all = inScope(map.get(key) ?? []);
      const typed = all.filter((e) => typeFits(e, item.type));
      if (typed.length) return { found: typed, how: `${how} and type` };
      const communes = all.filter((e) => e.unit.level === 'commune');
      if (communes.length) return { found: communes, how: `${how} (another type)` };
    }
    return { found: [], how: 'no unit of this name' };
  };

  const parsed = communes.map((c) => ({ commune: c, items: c.before ? parseBefore(c.before, c.fullName) : [] }));
  // The old provinces of each new province: those of the names that match one unit nationwide.
  const votes = new Map<string, Map<string, number>>();
  for (const { commune, items } of parsed) {
    for (const item of items) {
      const { found } = find(item);
      if (found.length !== 1) continue;
      const v = votes.get(commune.provinceCode) ?? new Map<string, number>();
      v.set(found[0].province, (v.get(found[0].province) ?? 0) + 1);
      votes.set(commune.provinceCode, v);
    }
  }
  const formedFrom = new Map<string, Set<string>>();
  for (const [province, v] of votes) {
    const total = [...v.values()].reduce((a, b) => a + b, 0);
    formedFrom.set(province, new Set([...v].filter(([, n]) => n >= Math.max(3, total * 0.03)).map(([p]) => p)));
  }

  // Each new province's old communes with their loose keys, for the near spellings of names that match nothing.
  const nearby = new Map<string, Array<{ key: string; entry: Indexed }>>();
  for (const [province, olds] of formedFrom) {
    nearby.set(province, [...strict.values()].flat().filter((e) => e.unit.level === 'commune' && olds.has(e.province)).map((entry) => ({ key: looseKey(bareName(entry.unit.name, entry.unit.type)), entry })));
  }

  const out: Proposal[] = [];
  for (const { commune, items } of parsed) {
    const within = formedFrom.get(commune.provinceCode);
    const first = items.map((item) => find(item, within && within.size ? within : undefined));
    // The districts of this text's names that found one unit: merged communes are neighbours.
    const homes = new Map<string, number>();
    first.forEach(({ found }) => {
      if (found.length === 1 && found[0].district) homes.set(found[0].district.code, (homes.get(found[0].district.code) ?? 0) + 1);
    });
    const named = new Set(items.flatMap((i) => (i.district ? [nameKey(i.district)] : [])));
    items.forEach((item, i) => {
      let { found, how } = first[i];
      const narrow = (keep: (e: Indexed) => boolean, why: string) => {
        const kept = found.filter(keep);
        if (kept.length > 0 && kept.length < found.length) {
          found = kept;
          how += `, ${why}`;
        }
      };
      if (found.length > 1 && item.district) narrow((e) => !!e.district && districtKey(e.district) === nameKey(item.district!), 'the district named');
      if (found.length > 1 && named.size) narrow((e) => !!e.district && named.has(districtKey(e.district)), 'a district the text names');
      if (found.length > 1) narrow((e) => e.unit.code === commune.code, 'the code the new commune kept');
      if (found.length > 1 && homes.size) {
        const best = Math.max(...found.map((e) => (e.district ? (homes.get(e.district.code) ?? 0) : 0)));
        if (best > 0) narrow((e) => !!e.district && (homes.get(e.district.code) ?? 0) === best, 'the district of the other names');
      }
      if (found.length === 0 && within && within.size) {
        // Nothing of this name: the old communes of the same provinces spelt nearly so (Sà Phìn /
        // Xà Phìn), for a person to pick from; never chosen here.
        const key = looseKey(bareName(item.name));
        const near = nearby.get(commune.provinceCode)!.filter((e) => editDistance(key, e.key, 2) <= 2);
        // A new unit often keeps the code of one it replaced: a near spelling with the new commune's code is that one.
        const same = near.find((e) => e.entry.unit.code === commune.code);
        if (same) {
          out.push({ newCode: commune.code, item, status: 'resolved', oldCode: same.entry.unit.code, candidates: [same.entry.unit.code], how: 'a name spelt nearly so, and the new commune kept its code', share: 'whole' });
          return;
        }
        if (near.length) {
          out.push({ newCode: commune.code, item, status: 'unmatched', oldCode: null, candidates: near.map((e) => e.entry.unit.code), how: 'no unit of this name; names spelt nearly so', share: 'whole' });
          return;
        }
      }
      out.push({
        newCode: commune.code,
        item,
        status: found.length === 1 ? 'resolved' : found.length === 0 ? 'unmatched' : 'ambiguous',
        oldCode: found.length === 1 ? found[0].unit.code : null,
        candidates: found.map((e) => e.unit.code),
        how,
        share: 'whole',
      });
    });
  }
  // Splits: an old unit named by more than one new commune (or marked as a remainder) is shared.
  const namedBy = new Map<string, Set<string>>();
  for (const p of out) if (p.oldCode) namedBy.set(p.oldCode, (namedBy.get(p.oldCode) ?? new Set()).add(p.newCode));
  for (const p of out) if (p.item.part || (p.oldCode && namedBy.get(p.oldCode)!.size > 1)) p.share = 'part';
  return out;
}

/**
 * The baseline a person would write first: each name as written (its parenthesis left out) equal
 * to exactly one old commune's name as the list writes it, in the whole country.
 */
export function naiveMatches(oldUnits: OldUnit[], communes: NewCommune[]): number {
  const count = new Map<string, number>();
  for (const u of oldUnits) if (u.level !== 'province') count.set(u.name, (count.get(u.name) ?? 0) + 1);
  let n = 0;
  for (const c of communes) {
    if (!c.before) continue;
    for (const raw of c.before.split(', ')) if (count.get(raw.replace(/\s*\([^)]*\)/g, '').trim()) === 1) n++;
  }
  return n;
}

/** Levenshtein distance, stopping early once it exceeds `max` (then max + 1). */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}
