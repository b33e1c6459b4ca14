import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from 'react';

export type Lang = 'vi' | 'en';

/** Every label of the console, Vietnamese first. */
const TEXT = {
  vi: {
    appName: 'Hatang — hạ tầng CNTT',
    skip: 'Bỏ qua, đến nội dung chính',
    nav: 'Điều hướng',
    plans: 'Kế hoạch',
    fleet: 'Mạng thiết bị',
    signIn: 'Đăng nhập',
    signOut: 'Đăng xuất',
    username: 'Tên đăng nhập',
    password: 'Mật khẩu',
    signingIn: 'Đang đăng nhập…',
    language: 'English',
    languageLabel: 'Chuyển sang tiếng Anh',
    loading: 'Đang tải…',
    noPlans: 'Chưa có kế hoạch nào cho tỉnh của bạn.',
    plan: 'Kế hoạch',
    year: 'Năm',
    row: 'STT',
    target: 'Chỉ tiêu',
    planned: 'Kế hoạch',
    actual: 'Thực hiện',
    status: 'Đánh giá',
    gap: 'Còn thiếu',
    trend: 'Xu hướng',
    counted: 'Tính đến ngày',
    area: 'Phạm vi',
    met: 'Đạt',
    on_track: 'Đúng tiến độ',
    behind: 'Chậm',
    no_data: 'Chưa có số liệu',
    summary: 'Tổng hợp',
    targetsOf: 'chỉ tiêu',
    up: 'Hoạt động',
    down: 'Mất kết nối',
    refused: 'Từ chối xác thực',
    unresolved: 'Không phân giải được tên',
    unknown: 'Chưa thăm dò',
    devicesDown: 'Thiết bị đang mất kết nối',
    noneDown: 'Không có thiết bị nào mất kết nối.',
    device: 'Thiết bị',
    address: 'Địa chỉ',
    since: 'Từ lúc',
    reason: 'Lý do',
    openOutages: 'Sự cố đang mở',
    refreshed: 'Cập nhật lúc',
    refreshEvery: 'tự làm mới mỗi 10 giây',
    error: 'Không tải được dữ liệu',
    wholeCountry: 'toàn quốc',
    byYear: 'Theo năm',
    byDistrict: 'Theo huyện',
    underProvince: 'Trực thuộc tỉnh',
    projection: 'Dự báo cuối năm theo xu hướng',
    projectionBasis: 'từ',
    missingTitle: 'Đơn vị chưa đạt',
    search: 'Tìm (không cần dấu)',
    exportXlsx: 'Xuất XLSX',
    district: 'Huyện',
    unit: 'Đơn vị hành chính',
    member: 'Cơ quan / đơn vị',
    pages: 'Trang',
    previous: 'Trước',
    next: 'Sau',
    details: 'Chi tiết',
    devices: 'Thiết bị',
    registerDevice: 'Đăng ký thiết bị',
    agency: 'Cơ quan',
    kind: 'Loại',
    filterKind: 'Lọc theo loại',
    deviceStatus: 'Trạng thái',
    users: 'Tài khoản',
    newUser: 'Tạo tài khoản',
    displayName: 'Họ tên, đơn vị',
    role: 'Vai trò',
    lastSignIn: 'Đăng nhập gần nhất',
    created: 'Đã tạo',
    disabled: 'Đã khóa',
    enabled: 'Đang dùng',
    disable: 'Khóa',
    enable: 'Mở khóa',
    role_admin: 'Quản trị',
    role_network_admin: 'Quản trị mạng',
    role_planner: 'Kế hoạch',
    role_viewer: 'Chỉ xem',
    role_poller: 'Bộ thăm dò',
    serialNumber: 'Số serial',
    model: 'Model',
    deviceName: 'Tên',
    commissionedOn: 'Ngày đưa vào sử dụng',
    save: 'Lưu',
    registered: 'Đã đăng ký',
    kind_router: 'Bộ định tuyến',
    kind_switch: 'Bộ chuyển mạch',
    kind_firewall: 'Tường lửa',
    kind_server: 'Máy chủ',
    kind_videoconference_endpoint: 'Thiết bị hội nghị truyền hình',
    kind_workstation: 'Máy trạm',
    kind_ups: 'Bộ lưu điện (UPS)',
    kind_other: 'Khác',
    equipment_planned: 'Dự kiến',
    equipment_active: 'Đang hoạt động',
    equipment_faulty: 'Hỏng',
    equipment_retired: 'Ngừng sử dụng',
    failure_timeout: 'Không trả lời (hết thời gian chờ)',
    failure_auth: 'Sai community hoặc khóa SNMPv3',
    failure_malformed: 'Trả lời không đọc được',
    failure_socket: 'Lỗi socket UDP của bộ thăm dò',
    failure_unreachable: 'Không tới được địa chỉ',
    failure_agent_error: 'Agent SNMP báo lỗi',
    failure_invalid_target: 'Địa chỉ quản lý không hợp lệ',
    failure_unresolved: 'Không phân giải được tên máy',
  },
  en: {
    appName: 'Hatang — ICT infrastructure',
    skip: 'Skip to the main content',
    nav: 'Navigation',
    plans: 'Plans',
    fleet: 'Network devices',
    signIn: 'Sign in',
    signOut: 'Sign out',
    username: 'Username',
    password: 'Password',
    signingIn: 'Signing in…',
    language: 'Tiếng Việt',
    languageLabel: 'Switch to Vietnamese',
    loading: 'Loading…',
    noPlans: 'No plan for your province yet.',
    plan: 'Plan',
    year: 'Year',
    row: 'No.',
    target: 'Target',
    planned: 'Planned',
    actual: 'Actual',
    status: 'Status',
    gap: 'Gap',
    trend: 'Trend',
    counted: 'As of',
    area: 'Area',
    met: 'Met',
    on_track: 'On track',
    behind: 'Behind',
    no_data: 'No data',
    summary: 'Summary',
    targetsOf: 'targets',
    up: 'Up',
    down: 'Down',
    refused: 'Authentication refused',
    unresolved: 'Name not resolved',
    unknown: 'Not polled yet',
    devicesDown: 'Devices down',
    noneDown: 'No device is down.',
    device: 'Device',
    address: 'Address',
    since: 'Since',
    reason: 'Reason',
    openOutages: 'Open outages',
    refreshed: 'Refreshed at',
    refreshEvery: 'refreshes every 10 seconds',
    error: 'Could not load the data',
    wholeCountry: 'the whole country',
    byYear: 'Year by year',
    byDistrict: 'By district',
    underProvince: 'Under the province',
    projection: 'Year-end projection from the trend',
    projectionBasis: 'from',
    missingTitle: 'Not counting yet',
    search: 'Search (diacritics optional)',
    exportXlsx: 'Export XLSX',
    district: 'District',
    unit: 'Administrative unit',
    member: 'Agency / unit',
    pages: 'Pages',
    previous: 'Previous',
    next: 'Next',
    details: 'Details',
    devices: 'Devices',
    registerDevice: 'Register a device',
    agency: 'Agency',
    kind: 'Kind',
    filterKind: 'Filter by kind',
    deviceStatus: 'Status',
    users: 'Accounts',
    newUser: 'New account',
    displayName: 'Name and office',
    role: 'Role',
    lastSignIn: 'Last sign-in',
    created: 'Created',
    disabled: 'Disabled',
    enabled: 'Enabled',
    disable: 'Disable',
    enable: 'Enable',
    role_admin: 'Administrator',
    role_network_admin: 'Network admin',
    role_planner: 'Planner',
    role_viewer: 'Viewer',
    role_poller: 'Poller',
    serialNumber: 'Serial number',
    model: 'Model',
    deviceName: 'Name',
    commissionedOn: 'Commissioned on',
    save: 'Save',
    registered: 'Registered',
    kind_router: 'Router',
    kind_switch: 'Switch',
    kind_firewall: 'Firewall',
    kind_server: 'Server',
    kind_videoconference_endpoint: 'Videoconference endpoint',
    kind_workstation: 'Workstation',
    kind_ups: 'UPS',
    kind_other: 'Other',
    equipment_planned: 'Planned',
    equipment_active: 'Active',
    equipment_faulty: 'Faulty',
    equipment_retired: 'Retired',
    failure_timeout: 'No answer (timed out)',
    failure_auth: 'Wrong community or SNMPv3 key',
    failure_malformed: 'Unreadable answer',
    failure_socket: 'Poller UDP socket error',
    failure_unreachable: 'Address unreachable',
    failure_agent_error: 'The SNMP agent reported an error',
    failure_invalid_target: 'Invalid management address',
    failure_unresolved: 'Host name not resolved',
  },
} as const;

export type TextKey = keyof (typeof TEXT)['vi'];

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: (key: TextKey) => string;
  /** A number as offices write it: 1.234,5 in Vietnamese, 1,234.5 in English. */
  num: (n: number, digits?: number) => string;
  /** A day as offices write it: 31/12/2015. */
  day: (iso: string) => string;
  /** A day and time: 31/12/2015 14:05. */
  dateTime: (iso: string) => string;
}

const Ctx = createContext<I18n | null>(null);
const STORED = 'hatang.lang';

/** The language chosen last (a preference, not a secret), else Vietnamese. */
export function currentLang(): Lang {
  return localStorage.getItem(STORED) === 'en' ? 'en' : 'vi';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(currentLang);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = TEXT[lang].appName;
  }, [lang]);
  const value = useMemo<I18n>(() => {
    const locale = lang === 'vi' ? 'vi-VN' : 'en-GB';
    return {
      lang,
      setLang: (l) => {
        localStorage.setItem(STORED, l);
        setLangState(l);
      },
      t: (key) => TEXT[lang][key],
      num: (n, digits = 0) => new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n),
      day: (iso) => {
        const [y, m, d] = iso.slice(0, 10).split('-');
        return `${d}/${m}/${y}`;
      },
      dateTime: (iso) => {
        const d = new Date(iso);
        const pad = (x: number) => String(x).padStart(2, '0');
        return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
      },
    };
  }, [lang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
