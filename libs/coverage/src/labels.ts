import type { Criterion } from './definition';

/** Vietnamese first: the reports go to Vietnamese offices; English beside it for the docs. */
export interface Label {
  vi: string;
  en: string;
}

const NETWORK: Record<string, Label> = {
  provincial_wan: { vi: 'mạng WAN của tỉnh', en: 'provincial WAN' },
  tslcd: { vi: 'mạng TSLCD', en: 'TSLCD network' },
  internet: { vi: 'Internet', en: 'internet' },
};
const MEDIUM: Record<string, Label> = {
  fibre: { vi: 'cáp quang', en: 'fibre' },
  copper: { vi: 'cáp đồng', en: 'copper' },
  wireless: { vi: 'vô tuyến', en: 'wireless' },
  satellite: { vi: 'vệ tinh', en: 'satellite' },
};
const DEVICE: Record<string, Label> = {
  router: { vi: 'bộ định tuyến', en: 'router' },
  switch: { vi: 'thiết bị chuyển mạch', en: 'switch' },
  firewall: { vi: 'thiết bị an toàn, bảo mật', en: 'security appliance' },
  server: { vi: 'máy chủ', en: 'server' },
  videoconference_endpoint: { vi: 'thiết bị hội nghị truyền hình', en: 'videoconference endpoint' },
  workstation: { vi: 'máy tính', en: 'workstation' },
  ups: { vi: 'bộ lưu điện', en: 'UPS' },
  other: { vi: 'thiết bị khác', en: 'other device' },
};
const MEETING: Record<string, Label> = {
  province_centre: { vi: 'tỉnh – Trung ương', en: 'province–centre' },
  province_district: { vi: 'tỉnh – huyện', en: 'province–district' },
  district_commune: { vi: 'huyện – xã', en: 'district–commune' },
};

const join = (labels: Label[], vi: string, en: string): Label => ({ vi: labels.map((l) => l.vi).join(vi), en: labels.map((l) => l.en).join(en) });
const pick = (table: Record<string, Label>, keys: string[]) => join(keys.map((k) => table[k] ?? { vi: k, en: k }), ' hoặc ', ' or ');

/** What a member lacks when it fails one leaf of a criterion: "no fibre internet link". */
export function leafLabel(c: Criterion): Label {
  if ('hasLink' in c) {
    const q = c.hasLink;
    const net = q.network ? pick(NETWORK, q.network) : { vi: 'mạng', en: 'network' };
    const med = q.medium ? pick(MEDIUM, q.medium) : undefined;
    const basis = q.bandwidthBasis === 'measured' ? { vi: ' (đo trên cổng)', en: ' (measured on its interface)' } : q.bandwidthBasis === 'both' ? { vi: ' (theo hợp đồng và đo trên cổng)', en: ' (contracted and measured)' } : { vi: '', en: '' };
    const bw = q.minBandwidthMbps !== undefined ? { vi: ` từ ${q.minBandwidthMbps} Mbps${basis.vi}`, en: ` of ${q.minBandwidthMbps} Mbps or more${basis.en}` } : { vi: '', en: '' };
    return {
      vi: `chưa có kết nối ${net.vi}${med ? ` bằng ${med.vi}` : ''}${bw.vi}`,
      en: `no ${med ? `${med.en} ` : ''}${net.en} link${bw.en}`,
    };
  }
  if ('hasLan' in c) return c.hasLan.complete ? { vi: 'mạng LAN chưa hoàn chỉnh', en: 'LAN not complete' } : { vi: 'chưa có mạng LAN', en: 'no LAN' };
  if ('hasDevice' in c) {
    const q = c.hasDevice;
    const what = pick(DEVICE, q.kind);
    const sys = q.meetingSystem ? ` (${pick(MEETING, q.meetingSystem).vi})` : '';
    const sysEn = q.meetingSystem ? ` (${pick(MEETING, q.meetingSystem).en})` : '';
    const role = q.role ? ` [${q.role.join(', ')}]` : '';
    const n = q.count && q.count > 1 ? q.count : undefined;
    return { vi: `chưa có ${n ? `đủ ${n} ` : ''}${what.vi}${sys}${role} đang hoạt động`, en: `no${n ? ` ${n}` : ''} working ${what.en}${n ? 's' : ''}${sysEn}${role}` };
  }
  if ('availability' in c) {
    return { vi: `độ sẵn sàng dưới ${c.availability.minPercent}%`, en: `availability below ${c.availability.minPercent}%` };
  }
  return { vi: 'không đạt', en: 'not met' };
}
