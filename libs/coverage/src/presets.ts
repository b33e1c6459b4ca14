/**
 * The five source plans (seeds/), their infrastructure targets transcribed as written: one entry
 * per cell of the plan's target table (a year and a percentage), with the plan's row number and
 * wording. A test checks every figure against the source text.
 */
export interface PresetTarget {
  indicator: string;
  row: string | null;
  wordingVi: string;
  labelEn: string;
  /** year → percent, only the years the plan gives a figure for. */
  values: Record<number, number>;
}

export interface PlanPreset {
  code: string;
  /** GSO code of the province (before the 2025 merger). */
  provinceCode: string;
  provinceName: string;
  titleVi: string;
  titleEn: string;
  documentNumber: string | null;
  documentDate: string | null;
  periodFrom: number;
  periodTo: number;
  /** The file in seeds/ it was transcribed from. */
  source: string;
  targets: PresetTarget[];
}

export const PRESETS: PlanPreset[] = [
  {
    code: 'binh-dinh-647-2012',
    provinceCode: '52',
    provinceName: 'Tỉnh Bình Định',
    titleVi: 'Kế hoạch ứng dụng và phát triển công nghệ thông tin trong hoạt động cơ quan nhà nước tỉnh Bình Định giai đoạn 2011 - 2015',
    titleEn: 'Binh Dinh plan for IT in state agencies, 2011–2015',
    documentNumber: '647/QĐ-UBND',
    documentDate: '2012-11-23',
    periodFrom: 2011,
    periodTo: 2015,
    source: '000_2389649b9d0f775f.txt',
    targets: [
      {
        indicator: 'agency_fibre_provincial_wan',
        row: '1',
        wordingVi: 'Hoàn thiện Hệ thống mạng tại các cơ quan hành chính nhà nước kết nối bằng cáp quang với mạng diện rộng của tỉnh',
        labelEn: 'Networks of state administrative agencies connected by fibre to the provincial WAN',
        values: { 2011: 15, 2012: 30, 2013: 50, 2014: 80, 2015: 100 },
      },
      {
        indicator: 'district_videoconference_province_district',
        row: '2',
        wordingVi:
          'Đầu tư xây dựng hệ thống giao ban trực tuyến nhằm đảm bảo tổ chức tất cả các cuộc họp của UBND tỉnh, các sở, ban, ngành với UBND cấp huyện.',
        labelEn: 'Online meeting system for all meetings of the provincial committee and departments with the district committees',
        values: { 2011: 0, 2012: 100 },
      },
      {
        indicator: 'data_centre_completion',
        row: '3',
        wordingVi:
          'Hoàn thiện cơ sở hạ tầng thông tin tại Trung tâm Hạ tầng thông tin của tỉnh nhằm đảm bảo vận hành ổn định Cổng thông tin điện tử, hệ thống thư điện tử của tỉnh, vận hành các cơ sở dữ liệu cấp tỉnh.',
        labelEn: 'Completion of the provincial information infrastructure centre (portal, e-mail, provincial databases)',
        values: { 2011: 30, 2012: 40, 2013: 90, 2014: 100 },
      },
      {
        indicator: 'commune_lan',
        row: '4',
        wordingVi: 'Tỷ lệ các xã, phường, thị trấn có mạng nội bộ (LAN).',
        labelEn: 'Communes with a LAN',
        values: { 2011: 15, 2012: 30, 2013: 40, 2014: 50, 2015: 60 },
      },
      {
        indicator: 'agency_security_devices',
        row: '5',
        wordingVi: 'Tỷ lệ các cơ quan nhà nước được trang bị các thiết bị an toàn, bảo mật thông tin.',
        labelEn: 'State agencies equipped with information security devices',
        values: { 2011: 30, 2012: 40, 2013: 50, 2014: 60, 2015: 70 },
      },
      {
        indicator: 'staff_computers_district_up',
        row: '6',
        wordingVi: 'Tỷ lệ CBCC từ cấp huyện trở lên được trang bị máy tính làm việc.',
        labelEn: 'Civil servants of district level and above with a computer',
        values: { 2011: 63, 2012: 70, 2013: 90, 2014: 100 },
      },
    ],
  },
  {
    code: 'quang-ngai-2012',
    provinceCode: '51',
    provinceName: 'Tỉnh Quảng Ngãi',
    titleVi: 'Kế hoạch ứng dụng CNTT trong hoạt động các cơ quan nhà nước tỉnh Quảng Ngãi (mục tiêu đến năm 2015)',
    titleEn: 'Quang Ngai plan for IT in state agencies, targets for 2015',
    documentNumber: null,
    documentDate: null,
    periodFrom: 2012,
    periodTo: 2015,
    source: '001_561f461dc0fa06f7.txt',
    targets: [
      {
        indicator: 'staff_computers_civil_servants',
        row: null,
        wordingVi: 'Tỷ lệ trung bình máy tính trên cán bộ, công chức tại các cơ quan Nhà nước là trên 90%.',
        labelEn: 'Computers per civil servant in state agencies above 90%',
        values: { 2015: 90 },
      },
      {
        indicator: 'agency_tslcd',
        row: null,
        wordingVi: '100% cơ quan Nhà nước tham gia vào hệ thống mạng truyền số liệu chuyên dùng của các cơ quan Đảng và Nhà nước.',
        labelEn: 'All state agencies on the specialised data network of Party and State agencies',
        values: { 2015: 100 },
      },
    ],
  },
  {
    code: 'binh-thuan-2018',
    provinceCode: '60',
    provinceName: 'Tỉnh Bình Thuận',
    titleVi: 'Kế hoạch ứng dụng công nghệ thông tin trong hoạt động của cơ quan Nhà nước tỉnh Bình Thuận năm 2018',
    titleEn: 'Binh Thuan plan for IT in state agencies, 2018',
    documentNumber: null,
    documentDate: null,
    periodFrom: 2018,
    periodTo: 2018,
    source: '002_2cb5abd8178ad468.txt',
    targets: [
      {
        indicator: 'staff_computers_commune',
        row: '2.1',
        wordingVi: '90% cán bộ, công chức cấp xã được trang bị máy tính phục vụ công việc chuyên môn.',
        labelEn: 'Commune civil servants with a computer for their work',
        values: { 2018: 90 },
      },
      {
        indicator: 'district_lan_complete',
        row: '2.1',
        wordingVi: '100% Ủy ban nhân dân cấp huyện có mạng LAN kết nối tất cả các phòng, ban trực thuộc',
        labelEn: 'District committees with a LAN joining all their departments',
        values: { 2018: 100 },
      },
      {
        indicator: 'commune_lan_complete_fibre_wan',
        row: '2.1',
        wordingVi:
          '80% UBND cấp xã có mạng (LAN) hoàn chỉnh (kết nối tất cả các ban trực thuộc), kết nối Internet băng rộng cáp quang và kết nối mạng WAN của tỉnh.',
        labelEn: 'Commune committees with a complete LAN, fibre broadband and a provincial WAN link',
        values: { 2018: 80 },
      },
      {
        indicator: 'data_centre_availability',
        row: '2.1',
        wordingVi: 'Đầu tư nâng cấp, bổ sung thiết bị bảo đảm Trung tâm Tích hợp dữ liệu tỉnh vận hành ổn định, an toàn 24/7',
        labelEn: 'Provincial data centre running stably and safely 24/7',
        values: { 2018: 100 },
      },
      {
        indicator: 'health_fibre',
        row: '2.2',
        wordingVi: 'Ngành Y tế: 100% các bệnh viện tuyến tỉnh, tuyến huyện và trạm y tế xã, phường, thị trấn có kết nối internet băng rộng (cáp quang)',
        labelEn: 'Health sector: provincial and district hospitals and commune health stations with fibre broadband',
        values: { 2018: 100 },
      },
      {
        indicator: 'health_station_computers',
        row: '2.2',
        wordingVi: '95% các trạm y tế xã, phường, thị trấn được trang bị đầy đủ máy tính',
        labelEn: 'Commune health stations fully equipped with computers',
        values: { 2018: 95 },
      },
    ],
  },
  {
    code: 'lang-son-198-2020',
    provinceCode: '20',
    provinceName: 'Tỉnh Lạng Sơn',
    titleVi: 'Kế hoạch ứng dụng công nghệ thông tin trong hoạt động của cơ quan nhà nước, phát triển chính quyền số và bảo đảm an toàn thông tin mạng năm 2021',
    titleEn: 'Lang Son plan for IT in state agencies, digital government and cyber security, 2021',
    documentNumber: '198/KH-UBND',
    documentDate: '2020-12-18',
    periodFrom: 2021,
    periodTo: 2021,
    source: '003_c8843cfe090ab64a.txt',
    targets: [
      {
        indicator: 'agency_tslcd_province_district',
        row: '2.1',
        wordingVi: '100% cơ quan nhà nước cấp tỉnh, cấp huyện kết nối vào mạng truyền số liệu chuyên dùng của các cơ quan Đảng, Nhà nước.',
        labelEn: 'Provincial and district-level state agencies on the TSLCD network',
        values: { 2021: 100 },
      },
      {
        indicator: 'staff_computers_all',
        row: '2.1',
        wordingVi: '100% cán bộ, công chức, viên chức trong cơ quan nhà nước có máy tính sử dụng trong công việc.',
        labelEn: 'Civil servants and public employees of state agencies with a computer for their work',
        values: { 2021: 100 },
      },
    ],
  },
  {
    code: 'quang-binh-2015',
    provinceCode: '44',
    provinceName: 'Tỉnh Quảng Bình',
    titleVi: 'Kế hoạch Ứng dụng Công nghệ thông tin trong hoạt động của cơ quan nhà nước trên địa bàn tỉnh năm 2015',
    titleEn: 'Quang Binh plan for IT in state agencies, 2015',
    documentNumber: null,
    documentDate: null,
    periodFrom: 2015,
    periodTo: 2015,
    source: '004_c93870a1031926df.txt',
    targets: [
      {
        indicator: 'online_meetings_province_district',
        row: null,
        wordingVi: '10% cuộc họp trực tuyến từ tỉnh đến huyện',
        labelEn: 'Province-to-district meetings held online',
        values: { 2015: 10 },
      },
      {
        indicator: 'online_meetings_province_centre',
        row: null,
        wordingVi: '100% cuộc họp trực tuyến từ tỉnh đến Trung ương được thông suốt',
        labelEn: 'Province-to-centre online meetings running without fault',
        values: { 2015: 100 },
      },
      {
        indicator: 'commune_committee_websites',
        row: null,
        wordingVi: '20% UBND cấp xã có trang thông tin điện tử',
        labelEn: 'Commune committees with a website',
        values: { 2015: 20 },
      },
    ],
  },
];
