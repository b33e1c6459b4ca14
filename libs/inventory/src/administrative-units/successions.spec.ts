import { bareName, nameKey, type NewCommune, type OldUnit, parseBefore, proposeSuccessions } from './successions';
import { howInVietnamese } from './unit-successions.service';

/**
 * A hand-written old list (two provinces, three districts) and new communes whose texts are
 * written as the official ones are: every hard case the national texts hold, each once.
 */
const OLD: OldUnit[] = [
  { code: '52', name: 'Tỉnh Bình Định', type: 'Tỉnh', level: 'province', parentCode: null },
  { code: '540', name: 'Thành phố Quy Nhơn', type: 'Thành phố', level: 'district', parentCode: '52' },
  { code: '21550', name: 'Phường Đống Đa', type: 'Phường', level: 'commune', parentCode: '540' },
  { code: '21553', name: 'Phường Hải Cảng', type: 'Phường', level: 'commune', parentCode: '540' },
  { code: '21556', name: 'Xã Nhơn Hoà', type: 'Xã', level: 'commune', parentCode: '540' },
  { code: '21559', name: 'Xã Phước Mỹ', type: 'Xã', level: 'commune', parentCode: '540' },
  { code: '21560', name: 'Xã Xà Phìn', type: 'Xã', level: 'commune', parentCode: '540' },
  { code: '547', name: 'Thị xã An Nhơn', type: 'Thị xã', level: 'district', parentCode: '52' },
  { code: '21601', name: 'Phường Đống Đa', type: 'Phường', level: 'commune', parentCode: '547' },
  { code: '21604', name: 'Xã Nhơn Phong', type: 'Xã', level: 'commune', parentCode: '547' },
  { code: '21607', name: 'Thị Trấn Bình Định', type: 'Thị trấn', level: 'commune', parentCode: '547' },
  { code: '21610', name: 'Thị trấn NT Liên Sơn', type: 'Thị trấn', level: 'commune', parentCode: '547' },
  { code: '21613', name: 'Xã Tân Thành', type: 'Xã', level: 'commune', parentCode: '547' },
  { code: '64', name: 'Tỉnh Gia Lai', type: 'Tỉnh', level: 'province', parentCode: null },
  { code: '622', name: 'Thành phố Pleiku', type: 'Thành phố', level: 'district', parentCode: '64' },
  { code: '23500', name: 'Xã Tân Thành', type: 'Xã', level: 'commune', parentCode: '622' },
  { code: '23503', name: 'Phường Hoa Lư', type: 'Phường', level: 'commune', parentCode: '622' },
  { code: '23506', name: 'Xã Biển Hồ', type: 'Xã', level: 'commune', parentCode: '622' },
  { code: '23509', name: 'Xã Chư Á', type: 'Xã', level: 'commune', parentCode: '622' },
  { code: '23512', name: 'Xã Ia Kênh', type: 'Xã', level: 'commune', parentCode: '622' },
  { code: '23515', name: 'Xã Gào', type: 'Xã', level: 'commune', parentCode: '622' },
  // Another province with names the texts also use: never chosen for Gia Lai's new communes.
  { code: '01', name: 'Thành phố Hà Nội', type: 'Thành phố', level: 'province', parentCode: null },
  { code: '001', name: 'Quận Ba Đình', type: 'Quận', level: 'district', parentCode: '01' },
  { code: '00001', name: 'Phường Hải Cảng', type: 'Phường', level: 'commune', parentCode: '001' },
  { code: '00004', name: 'Xã Biển Hồ', type: 'Xã', level: 'commune', parentCode: '001' },
  { code: '00007', name: 'Phường Hoa Lư', type: 'Phường', level: 'commune', parentCode: '001' },
];

const NEW: NewCommune[] = [
  // The district in parentheses picks Quy Nhơn's Đống Đa, not An Nhơn's; Hải Cảng is Bình Định's, not Hà Nội's.
  { code: '21553', fullName: 'Phường Quy Nhơn', provinceCode: '52', before: 'Phường Đống Đa (thành phố Quy Nhơn), Phường Hải Cảng' },
  // Hoà written Hòa; a type left out is the one before it ("Phước Mỹ" is a Xã).
  { code: '21556', fullName: 'Xã Nhơn Hòa', provinceCode: '52', before: 'Xã Nhơn Hòa, Phước Mỹ' },
  // "Thị Trấn" with a capital in the list; NT for nông trường; a Đống Đa with no district: the remainder of a split.
  { code: '21607', fullName: 'Phường Bình Định', provinceCode: '52', before: 'Thị trấn Bình Định, Thị trấn Nông trường Liên Sơn, Phường Đống Đa (phần còn lại sau khi sáp nhập vào phường Quy Nhơn)' },
  // Part of An Nhơn's Đống Đa, named without a marker (the official texts do that); Tân Thành of the same district as the other names.
  { code: '21604', fullName: 'Xã Nhơn Phong', provinceCode: '52', before: 'Xã Nhơn Phong, Phường Đống Đa (thị xã An Nhơn), Xã Tân Thành' },
  // A misspelling no key finds: candidates, and the one whose code the new commune kept is taken.
  { code: '21560', fullName: 'Xã Xà Phìn', provinceCode: '52', before: 'Xã Sà Phìn' },
  { code: '21599', fullName: 'Xã Vân Canh', provinceCode: '52', before: 'Xã Sà Phìn' },
  // Kept as it was. (The new Tỉnh Gia Lai, code 52, took in the old Bình Định and Gia Lai.)
  { code: '23506', fullName: 'Xã Biển Hồ', provinceCode: '52', before: 'giữ nguyên' },
  { code: '23503', fullName: 'Phường Pleiku', provinceCode: '52', before: 'Phường Hoa Lư, Xã Chư Á, Xã Ia Kênh, Xã Gào, Xã Tân Thành' },
];

describe('proposing the old units each new commune was formed from', () => {
  it('reads a before text: types, the district in parentheses, the remainder of a split', () => {
    expect(parseBefore('Phường Đống Đa (thành phố Quy Nhơn), Phổ Hòa, xã Bà Gia, Xã Kim Đông (phần còn lại sau khi sáp nhập vào xã X)')).toEqual([
      { text: 'Phường Đống Đa (thành phố Quy Nhơn)', type: 'phường', name: 'Đống Đa', district: 'Quy Nhơn', part: false },
      { text: 'Phổ Hòa', type: 'phường', name: 'Phổ Hòa', district: null, part: false },
      { text: 'xã Bà Gia', type: 'xã', name: 'Bà Gia', district: null, part: false },
      { text: 'Xã Kim Đông (phần còn lại sau khi sáp nhập vào xã X)', type: 'xã', name: 'Kim Đông', district: null, part: true },
    ]);
    expect(parseBefore('giữ nguyên', 'Xã Biển Hồ')).toEqual([{ text: 'Xã Biển Hồ', type: 'xã', name: 'Biển Hồ', district: null, part: false }]);
  });

  it('meets the old and new placement of the tone, and only that', () => {
    expect(nameKey('Nhơn Hoà')).toBe(nameKey('Nhơn Hòa'));
    expect(nameKey('Thuỷ')).toBe(nameKey('Thủy'));
    expect(nameKey('Hoà')).not.toBe(nameKey('Hóa'));
    expect(nameKey('Phường 01')).toBe(nameKey('Phường 1'));
    expect(bareName('Thị Trấn Mường Chà', 'Thị trấn')).toBe('Mường Chà');
    expect(bareName('Thị trấn N.T Phong Hải', 'Thị trấn')).toBe('Nông trường Phong Hải');
  });

  it('resolves each name to one old unit, or lists the candidates for a person', () => {
    const proposals = proposeSuccessions(OLD, NEW);
    const of = (newCode: string) => proposals.filter((p) => p.newCode === newCode).map((p) => [p.item.name, p.status, p.oldCode, p.candidates]);
    expect(of('21553')).toEqual([
      ['Đống Đa', 'resolved', '21550', ['21550']],
      ['Hải Cảng', 'resolved', '21553', ['21553']],
    ]);
    expect(of('21556')).toEqual([
      ['Nhơn Hòa', 'resolved', '21556', ['21556']],
      ['Phước Mỹ', 'resolved', '21559', ['21559']],
    ]);
    expect(of('21607')).toEqual([
      ['Bình Định', 'resolved', '21607', ['21607']],
      ['Nông trường Liên Sơn', 'resolved', '21610', ['21610']],
      // No district named: An Nhơn's Đống Đa, where the text's other names lie.
      ['Đống Đa', 'resolved', '21601', ['21601']],
    ]);
    expect(of('21604')).toEqual([
      ['Nhơn Phong', 'resolved', '21604', ['21604']],
      ['Đống Đa', 'resolved', '21601', ['21601']],
      // Two Tân Thành in the provinces the new Gia Lai was formed from: An Nhơn's, the district the text names for Đống Đa.
      ['Tân Thành', 'resolved', '21613', ['21613']],
    ]);
    expect(of('21560')).toEqual([['Sà Phìn', 'resolved', '21560', ['21560']]]);
    expect(of('21599')).toEqual([['Sà Phìn', 'unmatched', null, ['21560']]]);
    expect(of('23506')).toEqual([['Biển Hồ', 'resolved', '23506', ['23506']]]);
    expect(of('23503')).toEqual([
      ['Hoa Lư', 'resolved', '23503', ['23503']],
      ['Chư Á', 'resolved', '23509', ['23509']],
      ['Ia Kênh', 'resolved', '23512', ['23512']],
      ['Gào', 'resolved', '23515', ['23515']],
      // Two Tân Thành in the new province's old provinces: Pleiku's, where the text's other names lie.
      ['Tân Thành', 'resolved', '23500', ['23500']],
    ]);
    // Đống Đa of An Nhơn went into two new communes: a split, whichever text marks it.
    expect(proposals.filter((p) => p.oldCode === '21601').map((p) => [p.newCode, p.share])).toEqual([
      ['21607', 'part'],
      ['21604', 'part'],
    ]);
    expect(proposals.find((p) => p.oldCode === '21550')!.share).toBe('whole');
    const how = (newCode: string, name: string) => proposals.find((p) => p.newCode === newCode && p.item.name === name)!.how;
    expect(how('21604', 'Tân Thành')).toBe('name and type, a district the text names');
    expect(how('23503', 'Tân Thành')).toBe('name and type, the district of the other names');
    expect(how('21560', 'Sà Phìn')).toBe('a name spelt nearly so, and the new commune kept its code');
  });

  it('says how each proposal was reached in Vietnamese for the workbook, leaving no English', () => {
    const hows = new Set([...proposeSuccessions(OLD, NEW).map((p) => p.how), 'chosen by a person']);
    for (const how of hows) expect(howInVietnamese(how)).not.toMatch(/\b(name|type|district|code|spelt|unit|chosen|kept)\b/);
    expect(howInVietnamese('name and type, the district of the other names')).toBe('tên và loại, huyện của các tên khác trong văn bản');
  });
});
