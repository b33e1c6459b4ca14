import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inVietnamese } from '../apps/api/src/http/messages-vi';

const ROOT = join(__dirname, '..');

/**
 * Every message the API writes, read from its source: a problem's detail and each field's message
 * (`message: '…'`, `InventoryError.invalid('…'`, `new CoverageError('…'`, class-validator's
 * `message:`). A template's `${…}` is tried as a number, a record's type, a level and a name.
 */
function sourceMessages(): Array<{ file: string; message: string }> {
  const files = execFileSync('git', ['ls-files', 'libs', 'apps/api'], { cwd: ROOT }).toString().trim().split('\n').filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
  const re = /(?:message:\s*|InventoryError\.(?:invalid|forbidden)\(\s*|new (?:Inventory|Coverage)Error\((?:[^,'`()]+,\s*)?)(['`])((?:\\.|(?!\1).)*)\1/g;
  const out = new Map<string, string>();
  for (const file of files) {
    for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(re)) out.set(m[2].replace(/\\'/g, "'"), file);
  }
  return [...out].map(([message, file]) => ({ file, message }));
}

describe('the API\'s messages in Vietnamese', () => {
  it('has a Vietnamese form for every message the source writes', () => {
    const messages = sourceMessages();
    expect(messages.length).toBeGreaterThan(150);
    const samples = (m: string) => ['1', 'device', 'province', 'Huyện Phù Cát'].map((x) => m.replace(/\$\{[^}]*\}/g, x).replace(/\$property/g, 'commissionedOn'));
    const untranslated = messages.filter(({ message }) => !message.includes('${why}') && samples(message).every((s) => inVietnamese(s) === s));
    expect(untranslated).toEqual([]);
  });

  it('says the messages a console user meets as an office would', () => {
    expect(inVietnamese('items must contain no more than 100 elements')).toBe('items có nhiều nhất 100 phần tử');
    expect(inVietnamese('items must contain at least 1 elements')).toBe('items phải có ít nhất 1 phần tử');
    expect(inVietnamese('interfaces must be an array')).toBe('interfaces phải là một danh sách (mảng JSON)');
    expect(inVietnamese('a commune cannot sit under a province')).toBe('xã không thể trực thuộc tỉnh');
    expect(inVietnamese('a commune code has 5 digits')).toBe('mã của xã gồm 5 chữ số');
    expect(inVietnamese('device 3f1c3a52-0d6b-4b8f-9f7e-2a4b5c6d7e8f does not exist')).toBe('thiết bị 3f1c3a52-0d6b-4b8f-9f7e-2a4b5c6d7e8f không tồn tại');
    expect(inVietnamese('This wan link is still in use')).toBe('đường truyền WAN này vẫn đang được sử dụng');
    expect(inVietnamese('serialNumber applies only to a videoconference endpoint, not a router')).toBe('serialNumber chỉ dùng cho thiết bị hội nghị truyền hình, không dùng cho bộ định tuyến');
    expect(inVietnamese('2031 is outside the plan\'s period 2026–2030')).toBe('năm 2031 nằm ngoài thời kỳ của kế hoạch (2026–2030)');
    expect(inVietnamese('Nothing was imported: 3 row(s) have problems')).toBe('Không nhập dòng nào: 3 dòng có lỗi');
    expect(inVietnamese('a device_down rule needs minutes')).toBe('quy tắc loại "thiết bị mất kết nối" cần minutes');
    expect(inVietnamese('alert rule 3f1c3a52-0d6b-4b8f-9f7e-2a4b5c6d7e8f does not exist')).toBe('quy tắc cảnh báo 3f1c3a52-0d6b-4b8f-9f7e-2a4b5c6d7e8f không tồn tại');
    // A message with no Vietnamese form stays as it is (English), never empty.
    expect(inVietnamese('something new')).toBe('something new');
  });
});
