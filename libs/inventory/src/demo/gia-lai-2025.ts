import type { NewCommune } from '../administrative-units/successions';
import data from './data/gia-lai-2025.json';

/**
 * Tỉnh Gia Lai (52) after the 2025 reorganisation, in the two-level format the import reads, and
 * the "before" texts of its 58 new communes formed from the former Tỉnh Bình Định (MIT, see
 * data/NOTICE.md). The demo's old communes are named from these texts, so the mapping Hatang
 * proposes for the demo is the one it proposes for the real province.
 */
export const GIA_LAI_2025 = { units: data.units, texts: data.texts as NewCommune[] };

/**
 * The new communes of each former district of Bình Định, by their GSO codes (each district's new
 * communes were numbered within its range of codes): 540 Quy Nhơn 21553–21607, 542 An Lão
 * 21609–21628, and so on.
 */
const NEW_CODES_OF_DISTRICT: Record<string, [string, string]> = {
  '540': ['21553', '21607'],
  '542': ['21609', '21628'],
  '543': ['21637', '21673'],
  '544': ['21688', '21727'],
  '545': ['21730', '21775'],
  '546': ['21786', '21805'],
  '547': ['21808', '21835'],
  '548': ['21853', '21901'],
  '549': ['21907', '21943'],
  '550': ['21952', '21985'],
  '551': ['21994', '22006'],
};

/** The old communes of one former district of Bình Định, as the texts name them, in the order they first appear. */
export function oldCommunesOf(districtCode: string): Array<{ name: string; type: string }> {
  const [from, to] = NEW_CODES_OF_DISTRICT[districtCode];
  const names: string[] = [];
  for (const t of GIA_LAI_2025.texts) {
    if (t.code < from || t.code > to || !t.before) continue;
    const items = t.before.trim() === 'giữ nguyên' ? [t.fullName] : t.before.split(',');
    for (const item of items) {
      // "Phường Ngô Mây (thành phố Quy Nhơn)", "Xã An Nghĩa (phần còn lại sau khi …)": the name before the parentheses.
      const name = item.replace(/\s*\(.*\)\s*$/, '').trim();
      if (name && !names.includes(name)) names.push(name);
    }
  }
  return names.map((name) => ({ name, type: /^(Phường|Thị trấn|Xã)/.exec(name)?.[1] ?? 'Xã' }));
}

/**
 * Where the demo sends what the mapping cannot place on its own: each former district's agencies
 * to the new commune that took the district's name (its seat), and each commune split between new
 * ones to the commune that took it by name. A province decides these; the demo decides as a
 * province might. Old unit's name → new commune's code.
 */
export const DEMO_DECISIONS: Record<string, string> = {
  'Thành phố Quy Nhơn': '21583',
  'Huyện An Lão': '21609',
  'Thị xã Hoài Nhơn': '21664',
  'Huyện Hoài Ân': '21688',
  'Huyện Phù Mỹ': '21730',
  'Huyện Vĩnh Thạnh': '21786',
  'Huyện Tây Sơn': '21808',
  'Huyện Phù Cát': '21853',
  'Thị xã An Nhơn': '21910',
  'Huyện Tuy Phước': '21952',
  'Huyện Vân Canh': '21994',
  'Xã An Nghĩa': '21628',
  'Xã Canh Liên': '21997',
  'Xã Canh Hiệp': '21994',
};
