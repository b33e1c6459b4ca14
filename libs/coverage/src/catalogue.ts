import type { AgencyKind } from '@app/inventory';
import type { IndicatorDefinition } from './definition';

export interface CatalogueIndicator {
  code: string;
  labelVi: string;
  labelEn: string;
  definition: IndicatorDefinition;
}

/** State administrative agencies (cơ quan hành chính nhà nước): committees and departments. */
const STATE: AgencyKind[] = ['provincial_committee', 'provincial_department', 'district_committee', 'commune_committee'];

/**
 * The built-in indicators: every infrastructure row of the five source plans (seeds/) maps to one
 * of these. Loaded at start; planners add their own through the API.
 */
export const CATALOGUE: CatalogueIndicator[] = [
  {
    code: 'agency_fibre_provincial_wan',
    labelVi: 'Cơ quan hành chính nhà nước kết nối bằng cáp quang với mạng diện rộng của tỉnh',
    labelEn: 'State agencies connected by fibre to the provincial WAN',
    definition: { population: { entity: 'agency', kinds: STATE }, criterion: { hasLink: { network: ['provincial_wan', 'tslcd'], medium: ['fibre'] } } },
  },
  {
    code: 'agency_tslcd',
    labelVi: 'Cơ quan nhà nước tham gia mạng truyền số liệu chuyên dùng',
    labelEn: 'State agencies on the specialised data network (TSLCD)',
    definition: { population: { entity: 'agency', kinds: STATE }, criterion: { hasLink: { network: ['tslcd'] } } },
  },
  {
    code: 'agency_tslcd_province_district',
    labelVi: 'Cơ quan nhà nước cấp tỉnh, cấp huyện kết nối mạng truyền số liệu chuyên dùng',
    labelEn: 'Provincial and district-level state agencies on the TSLCD network',
    definition: { population: { entity: 'agency', kinds: STATE, levels: ['province', 'district'] }, criterion: { hasLink: { network: ['tslcd'] } } },
  },
  {
    code: 'district_videoconference_province_district',
    labelVi: 'Huyện có điểm cầu giao ban trực tuyến tỉnh – huyện đang hoạt động',
    labelEn: 'Districts with a working province–district videoconference endpoint',
    definition: {
      population: { entity: 'administrative_unit', level: 'district', agencyKinds: ['district_committee'] },
      criterion: { hasDevice: { kind: ['videoconference_endpoint'], meetingSystem: ['province_district'] } },
    },
  },
  {
    code: 'data_centre_completion',
    labelVi: 'Mức độ hoàn thiện hạ tầng Trung tâm tích hợp dữ liệu của tỉnh (báo cáo)',
    labelEn: 'Completion of the provincial data centre (reported)',
    definition: { population: { entity: 'reported' } },
  },
  {
    code: 'data_centre_availability',
    labelVi: 'Máy chủ tại Trung tâm tích hợp dữ liệu vận hành ổn định 24/7 (sẵn sàng từ 99,9% trong năm)',
    labelEn: 'Data-centre servers running 24/7 (available 99.9% of the year or more)',
    definition: {
      population: { entity: 'device', kinds: ['server'], dataCentre: true },
      criterion: { availability: { minPercent: 99.9, windowDays: 365 } },
    },
  },
  {
    code: 'commune_lan',
    labelVi: 'Xã, phường, thị trấn có mạng nội bộ (LAN)',
    labelEn: 'Communes whose people’s committee has a LAN',
    definition: { population: { entity: 'administrative_unit', level: 'commune', agencyKinds: ['commune_committee'] }, criterion: { hasLan: { complete: false } } },
  },
  {
    code: 'commune_lan_complete_fibre_wan',
    labelVi: 'UBND cấp xã có mạng LAN hoàn chỉnh, kết nối Internet băng rộng cáp quang và kết nối mạng WAN của tỉnh',
    labelEn: 'Commune committees with a complete LAN, fibre broadband and a provincial WAN link',
    definition: {
      population: { entity: 'agency', kinds: ['commune_committee'] },
      criterion: {
        all: [{ hasLan: { complete: true } }, { hasLink: { network: ['internet'], medium: ['fibre'] } }, { hasLink: { network: ['provincial_wan', 'tslcd'] } }],
      },
    },
  },
  {
    code: 'district_lan_complete',
    labelVi: 'UBND cấp huyện có mạng LAN kết nối tất cả các phòng, ban trực thuộc',
    labelEn: 'District committees with a LAN joining all their departments',
    definition: { population: { entity: 'agency', kinds: ['district_committee'] }, criterion: { hasLan: { complete: true } } },
  },
  {
    code: 'agency_security_devices',
    labelVi: 'Cơ quan nhà nước được trang bị thiết bị an toàn, bảo mật thông tin',
    labelEn: 'State agencies with an information security appliance',
    definition: { population: { entity: 'agency', kinds: STATE }, criterion: { hasDevice: { kind: ['firewall'] } } },
  },
  {
    code: 'staff_computers_district_up',
    labelVi: 'CBCC từ cấp huyện trở lên được trang bị máy tính làm việc',
    labelEn: 'Civil servants of district level and above with a working computer',
    definition: {
      population: { entity: 'staff', agencyKinds: STATE, levels: ['province', 'district'], include: 'civil_servants' },
      criterion: { hasDevice: { kind: ['workstation'] } },
    },
  },
  {
    code: 'staff_computers_commune',
    labelVi: 'Cán bộ, công chức cấp xã được trang bị máy tính phục vụ công việc chuyên môn',
    labelEn: 'Commune civil servants with a working computer',
    definition: { population: { entity: 'staff', agencyKinds: ['commune_committee'], include: 'civil_servants' }, criterion: { hasDevice: { kind: ['workstation'] } } },
  },
  {
    code: 'staff_computers_civil_servants',
    labelVi: 'Máy tính trên cán bộ, công chức tại các cơ quan nhà nước',
    labelEn: 'Civil servants of state agencies with a working computer',
    definition: { population: { entity: 'staff', agencyKinds: STATE, include: 'civil_servants' }, criterion: { hasDevice: { kind: ['workstation'] } } },
  },
  {
    code: 'staff_computers_all',
    labelVi: 'Cán bộ, công chức, viên chức trong cơ quan nhà nước có máy tính sử dụng trong công việc',
    labelEn: 'Civil servants and public employees of state agencies with a working computer',
    definition: { population: { entity: 'staff', agencyKinds: STATE, include: 'all' }, criterion: { hasDevice: { kind: ['workstation'] } } },
  },
  {
    code: 'health_fibre',
    labelVi: 'Bệnh viện tuyến tỉnh, tuyến huyện và trạm y tế xã có kết nối Internet băng rộng cáp quang',
    labelEn: 'Hospitals and commune health stations with fibre broadband',
    definition: { population: { entity: 'agency', kinds: ['hospital', 'health_station'] }, criterion: { hasLink: { network: ['internet'], medium: ['fibre'] } } },
  },
  {
    code: 'health_station_computers',
    labelVi: 'Trạm y tế xã được trang bị đầy đủ máy tính (tính theo nhân lực của trạm)',
    labelEn: 'Commune health stations fully equipped with computers (counted per staff member)',
    definition: { population: { entity: 'staff', agencyKinds: ['health_station'], include: 'all' }, criterion: { hasDevice: { kind: ['workstation'] } } },
  },
  {
    code: 'online_meetings_province_district',
    labelVi: 'Cuộc họp trực tuyến từ tỉnh đến huyện (báo cáo)',
    labelEn: 'Province-to-district meetings held online (reported)',
    definition: { population: { entity: 'reported' } },
  },
  {
    code: 'online_meetings_province_centre',
    labelVi: 'Cuộc họp trực tuyến từ tỉnh đến Trung ương được thông suốt (báo cáo)',
    labelEn: 'Province-to-centre online meetings that run without fault (reported)',
    definition: { population: { entity: 'reported' } },
  },
  {
    code: 'commune_committee_websites',
    labelVi: 'UBND cấp xã có trang thông tin điện tử (báo cáo)',
    labelEn: 'Commune committees with a website (reported)',
    definition: { population: { entity: 'reported' } },
  },
];
