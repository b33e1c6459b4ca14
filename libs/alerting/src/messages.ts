import type { DeliveryEvent, RuleKind } from './entities';

/** What a notification says of its incident; fixed when the incident changes, then sent as stored. */
export interface IncidentFacts {
  incidentId: string;
  ruleId: string | null;
  ruleName: string;
  kind: RuleKind;
  summary: string;
  deviceId: string | null;
  deviceName: string | null;
  address: string | null;
  agencyName: string | null;
  ifIndex: number | null;
  pollerGroup: string | null;
  openedAt: Date;
  resolvedAt: Date | null;
  reminder: number;
}

const TIME = new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });

/** 27/11/2026 14:05 (giờ Việt Nam). */
export function vnTime(at: Date): string {
  const p = Object.fromEntries(TIME.formatToParts(at).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

/** 1 giờ 5 phút; 3 ngày 2 giờ; 40 giây. */
export function vnDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} ngày${h ? ` ${h} giờ` : ''}`;
  if (h > 0) return `${h} giờ${m ? ` ${m} phút` : ''}`;
  if (m > 0) return `${m} phút`;
  return `${s} giây`;
}

const KIND_VI: Record<RuleKind, string> = {
  device_down: 'thiết bị mất kết nối',
  interface_down: 'cổng mạng ngừng hoạt động',
  availability_below: 'độ sẵn sàng dưới mục tiêu',
  poller_silent: 'nhóm thu thập ngừng báo cáo',
  not_polled: 'thiết bị không được thăm dò',
};

const EVENT_VI: Record<DeliveryEvent, string> = { open: 'SỰ CỐ', reminder: 'NHẮC LẠI', recovery: 'ĐÃ KHẮC PHỤC' };

/** The e-mail's subject and text, and the webhook's JSON (its `text` for Slack-like receivers). */
export function renderMessage(event: DeliveryEvent, f: IncidentFacts, publicUrl?: string): { subject: string; text: string; payload: Record<string, unknown> } {
  const head = event === 'reminder' ? `${EVENT_VI.reminder} (lần ${f.reminder})` : EVENT_VI[event];
  const subject = `[Hatang] ${head}: ${f.summary}`.slice(0, 250);
  const lines = [
    `${head}: ${f.summary}`,
    '',
    `Quy tắc: ${f.ruleName} (${KIND_VI[f.kind]})`,
    ...(f.deviceName ? [`Thiết bị: ${f.deviceName}${f.address ? ` (${f.address})` : ''}`] : []),
    ...(f.agencyName ? [`Cơ quan: ${f.agencyName}`] : []),
    ...(f.ifIndex !== null ? [`Cổng (ifIndex): ${f.ifIndex}`] : []),
    ...(f.pollerGroup ? [`Nhóm thu thập: ${f.pollerGroup}`] : []),
    `Bắt đầu: ${vnTime(f.openedAt)} (giờ Việt Nam)`,
    ...(f.resolvedAt ? [`Kết thúc: ${vnTime(f.resolvedAt)}`, `Thời gian gián đoạn: ${vnDuration(f.resolvedAt.getTime() - f.openedAt.getTime())}`] : []),
    ...(publicUrl ? ['', `Chi tiết: ${publicUrl.replace(/\/+$/, '')}/alerts/incidents?id=${f.incidentId}`] : []),
    '',
    'Thư này do Hatang gửi tự động; xác nhận sự cố trên trang Cảnh báo để dừng nhắc lại.',
  ];
  const text = lines.join('\n');
  const payload = {
    event,
    text: `${head}: ${f.summary}`,
    incident: {
      id: f.incidentId,
      ruleId: f.ruleId,
      rule: f.ruleName,
      kind: f.kind,
      summary: f.summary,
      deviceId: f.deviceId,
      device: f.deviceName,
      address: f.address,
      agency: f.agencyName,
      ifIndex: f.ifIndex,
      pollerGroup: f.pollerGroup,
      openedAt: f.openedAt.toISOString(),
      resolvedAt: f.resolvedAt?.toISOString() ?? null,
      reminder: event === 'reminder' ? f.reminder : null,
    },
  };
  return { subject, text, payload };
}
