import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { EVERYWHERE } from '../access/access';
import { AdministrativeUnit } from '../administrative-units/administrative-unit.entity';
import { AdministrativeUnitsService } from '../administrative-units/administrative-units.service';
import { AgenciesService } from '../agencies/agencies.service';
import { AgencyStaffing } from '../agencies/agency-staffing.entity';
import type { CreateAgency } from '../agencies/agency.dto';
import { AuditLog, type ChangeContext } from '../audit/audit-log.service';
import type { CreateDevice } from '../equipment/device.dto';
import { DevicesService } from '../equipment/devices.service';
import type { CreateLan } from '../equipment/lan.dto';
import { LansService } from '../equipment/lans.service';
import type { CreateWanLink } from '../equipment/wan-link.dto';
import { WanLinksService } from '../equipment/wan-links.service';
import { oldCommunesOf } from './gia-lai-2025';

/**
 * Bình Định's 11 district-level units as the GSO lists them (01/03/2025), with the number of
 * communes each has, and how far along its ICT build-out the demo pretends it was (0 = last, 1 = first).
 */
const DISTRICTS = [
  { code: '540', name: 'Thành phố Quy Nhơn', type: 'Thành phố', communes: 17, pace: 0.95 },
  { code: '542', name: 'Huyện An Lão', type: 'Huyện', communes: 10, pace: 0.25 },
  { code: '543', name: 'Thị xã Hoài Nhơn', type: 'Thị xã', communes: 17, pace: 0.7 },
  { code: '544', name: 'Huyện Hoài Ân', type: 'Huyện', communes: 15, pace: 0.45 },
  { code: '545', name: 'Huyện Phù Mỹ', type: 'Huyện', communes: 19, pace: 0.55 },
  { code: '546', name: 'Huyện Vĩnh Thạnh', type: 'Huyện', communes: 9, pace: 0.2 },
  { code: '547', name: 'Huyện Tây Sơn', type: 'Huyện', communes: 15, pace: 0.6 },
  { code: '548', name: 'Huyện Phù Cát', type: 'Huyện', communes: 18, pace: 0.5 },
  { code: '549', name: 'Thị xã An Nhơn', type: 'Thị xã', communes: 15, pace: 0.8 },
  { code: '550', name: 'Huyện Tuy Phước', type: 'Huyện', communes: 13, pace: 0.65 },
  { code: '551', name: 'Huyện Vân Canh', type: 'Huyện', communes: 7, pace: 0.3 },
] as const;

const DEPARTMENTS: Array<[string, string, CreateAgency['sector']]> = [
  ['STTTT', 'Sở Thông tin và Truyền thông', 'general'],
  ['SNV', 'Sở Nội vụ', 'general'],
  ['SKHDT', 'Sở Kế hoạch và Đầu tư', 'general'],
  ['STC', 'Sở Tài chính', 'finance'],
  ['STP', 'Sở Tư pháp', 'justice'],
  ['SYT', 'Sở Y tế', 'health'],
  ['SGDDT', 'Sở Giáo dục và Đào tạo', 'education'],
  ['STNMT', 'Sở Tài nguyên và Môi trường', 'general'],
];

export const DEMO_PROVINCE_CODE = '52';

/** A small deterministic generator, so the demo is the same on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DemoSummary {
  units: number;
  agencies: number;
  lans: number;
  wanLinks: number;
  devices: number;
}

@Injectable()
export class DemoProvince {
  private readonly logger = new Logger('DemoProvince');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly units: AdministrativeUnitsService,
    private readonly agencies: AgenciesService,
    private readonly lans: LansService,
    private readonly wanLinks: WanLinksService,
    private readonly devices: DevicesService,
    private readonly audit: AuditLog,
  ) {}

  /** Loads the demo unless the inventory already holds administrative units. */
  async loadIfEmpty(): Promise<DemoSummary | null> {
    if ((await this.ds.getRepository(AdministrativeUnit).count()) > 0) return null;
    return this.load();
  }

  async load(): Promise<DemoSummary> {
    const ctx: ChangeContext = { actor: 'demo', source: 'seed', scope: EVERYWHERE };
    const rnd = prng(647_2012); // Quyết định 647/QĐ-UBND, 2012
    const day = (year: number) => `${year}-${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}`;
    /** The year a unit of this pace got something that the province rolled out from `from` over `span` years. */
    const yearFor = (pace: number, from: number, span: number): number | null => {
      const y = from + Math.floor((1 - pace) * span + rnd() * 2.5 - 0.5);
      return y <= 2015 ? Math.max(from, y) : rnd() < 0.3 ? null : y; // some never within the plan
    };

    return this.ds.transaction(async (m) => {
      // Administrative units
      const provinceId = randomUUID();
      const units: Array<{ id: string; code: string; name: string; level: 'province' | 'district' | 'commune'; type: string; parentId: string | null }> = [
        { id: provinceId, code: DEMO_PROVINCE_CODE, name: 'Tỉnh Bình Định', level: 'province', type: 'Tỉnh', parentId: null },
      ];
      const communes: Array<{ id: string; name: string; district: (typeof DISTRICTS)[number] }> = [];
      const districtIds = new Map<string, string>();
      DISTRICTS.forEach((d, di) => {
        const id = randomUUID();
        districtIds.set(d.code, id);
        units.push({ id, code: d.code, name: d.name, level: 'district', type: d.type, parentId: provinceId });
        // The real communes' names, as the reorganisation's texts name them (see gia-lai-2025.ts).
        const named = oldCommunesOf(d.code);
        if (named.length !== d.communes) throw new Error(`The demo's district ${d.code} has ${d.communes} communes, the texts name ${named.length}`);
        named.forEach(({ name, type }, n) => {
          const cid = randomUUID();
          // Generated codes start with 9: the real codes are not in the data the project may ship.
          units.push({ id: cid, code: `9${String(di + 1).padStart(2, '0')}${String(n + 1).padStart(2, '0')}`, name, level: 'commune', type, parentId: id });
          communes.push({ id: cid, name, district: d });
        });
      });
      await this.units.write({ create: units }, ctx, m);

      // Agencies
      const agencies: Array<CreateAgency & { id: string }> = [];
      const add = (a: CreateAgency) => {
        const row = { id: randomUUID(), ...a };
        agencies.push(row);
        return row.id;
      };
      const provincialCommittee = add({ code: 'UBND-52', name: 'Ủy ban nhân dân tỉnh Bình Định', kind: 'provincial_committee', administrativeUnitId: provinceId });
      const departments = DEPARTMENTS.map(([code, name, sector]) => ({
        id: add({ code: `${code}-52`, name, kind: 'provincial_department', sector, administrativeUnitId: provinceId, parentId: provincialCommittee }),
        code,
      }));
      const stttt = departments[0].id;
      const health = departments.find((d) => d.code === 'SYT')!.id;
      const hospital = add({ code: 'BVDK-52', name: 'Bệnh viện Đa khoa tỉnh Bình Định', kind: 'hospital', sector: 'health', administrativeUnitId: provinceId, parentId: health });
      const districtCommittees = DISTRICTS.map((d) => ({
        d,
        id: add({ code: `UBND-${d.code}`, name: `Ủy ban nhân dân ${d.name}`, kind: 'district_committee', administrativeUnitId: districtIds.get(d.code)!, parentId: provincialCommittee }),
      }));
      const communeAgencies = communes.map((c, i) => ({
        c,
        committee: add({ code: `UBND-X${String(i + 1).padStart(3, '0')}`, name: `Ủy ban nhân dân ${c.name}`, kind: 'commune_committee', administrativeUnitId: c.id }),
        station: add({ code: `TYT-X${String(i + 1).padStart(3, '0')}`, name: `Trạm Y tế ${c.name}`, kind: 'health_station', sector: 'health', administrativeUnitId: c.id, parentId: health }),
      }));
      await this.agencies.write({ create: agencies }, ctx, m);

      // Staffing 2011–2025, and who works where (for workstations)
      const staffing: AgencyStaffing[] = [];
      const headcount = new Map<string, number>();
      const staff = (agencyId: string, base: number) => {
        headcount.set(agencyId, base);
        for (let year = 2011; year <= 2025; year++) {
          const civilServants = Math.max(1, Math.round(base * (1 + (year - 2011) * 0.01) + (rnd() - 0.5) * 2));
          staffing.push({ agencyId, year, civilServants, publicEmployees: Math.round(civilServants * 0.2) } as AgencyStaffing);
        }
      };
      staff(provincialCommittee, 60);
      departments.forEach((d) => staff(d.id, 40 + Math.floor(rnd() * 40)));
      staff(hospital, 30);
      districtCommittees.forEach((d) => staff(d.id, 70 + Math.floor(rnd() * 30)));
      communeAgencies.forEach((c) => {
        staff(c.committee, 20 + Math.floor(rnd() * 6));
        staff(c.station, 5 + Math.floor(rnd() * 3));
      });
      for (let i = 0; i < staffing.length; i += 1000) await m.getRepository(AgencyStaffing).insert(staffing.slice(i, i + 1000));
      await this.audit.record(m, ctx, staffing.map((s) => ({ action: 'create' as const, entityType: 'agency_staffing', entityId: `${s.agencyId}/${s.year}`, after: s })));

      // LANs, WAN links, devices
      const lans: Array<CreateLan & { id: string }> = [];
      const links: CreateWanLink[] = [];
      const devices: CreateDevice[] = [];
      let serial = 0;
      const nextSerial = (prefix: string) => `${prefix}${String(++serial).padStart(6, '0')}`;
      const workstations = (agencyId: string, pace: number) => {
        const n = headcount.get(agencyId)!;
        for (let i = 1; i <= n; i++) {
          const year = yearFor(pace, 2010, 6);
          if (year === null) continue;
          const commissionedOn = day(Math.min(year, 2016));
          const retire = year <= 2012 && rnd() < 0.15; // some early PCs were retired and not replaced
          const retiredOn = retire ? day(Math.min(2016, year + 3)) : null;
          devices.push({
            agencyId,
            kind: 'workstation',
            staffPosition: `CBCC-${String(i).padStart(3, '0')}`,
            serialNumber: nextSerial('PC'),
            manufacturer: rnd() < 0.5 ? 'Dell' : 'HP',
            model: rnd() < 0.5 ? 'OptiPlex 3020' : 'ProDesk 400 G1',
            status: retiredOn && retiredOn >= commissionedOn ? 'retired' : year > 2016 ? 'planned' : 'active',
            commissionedOn,
            retiredOn: retiredOn && retiredOn >= commissionedOn ? retiredOn : null,
          });
        }
      };
      /** A LAN commissioned in `year`, joining every department from `completeYear` (after 2015: not yet). */
      const lan = (agencyId: string, name: string, total: number, year: number, completeYear: number | null, missing: number) => {
        const commissionedOn = day(year);
        const complete = completeYear !== null && completeYear <= 2015;
        const completedOn = !complete ? null : completeYear > year ? `${completeYear}-06-30` : commissionedOn;
        return {
          id: randomUUID(), agencyId, name, departmentsTotal: total, departmentsJoined: complete ? total : Math.max(1, total - missing),
          status: year > 2016 ? ('planned' as const) : ('active' as const), commissionedOn, completedOn,
        };
      };
      const wan = (agencyId: string, network: CreateWanLink['network'], medium: CreateWanLink['medium'], year: number, bandwidthMbps: number) => {
        links.push({ agencyId, network, medium, bandwidthMbps, provider: network === 'tslcd' ? 'VNPT (Cục Bưu điện Trung ương)' : rnd() < 0.7 ? 'VNPT' : 'Viettel', circuitId: nextSerial('CK'), status: year > 2016 ? 'planned' : 'active', commissionedOn: day(year) });
      };

      // Province: data centre, TSLCD, videoconference to the centre
      wan(provincialCommittee, 'tslcd', 'fibre', 2011, 100);
      devices.push({ agencyId: provincialCommittee, kind: 'videoconference_endpoint', meetingSystem: 'province_centre', name: 'VC UBND tỉnh', serialNumber: nextSerial('VC'), manufacturer: 'Polycom', model: 'HDX 8000', commissionedOn: '2011-09-15' });
      workstations(provincialCommittee, 0.9);
      for (let i = 1; i <= 12; i++) {
        devices.push({
          agencyId: stttt, kind: 'server', name: `ttdl-srv-${String(i).padStart(2, '0')}`, serialNumber: nextSerial('SV'), manufacturer: 'HPE', model: 'ProLiant DL380 Gen8',
          dataCentre: 'Trung tâm tích hợp dữ liệu tỉnh Bình Định', rack: `R0${1 + Math.floor((i - 1) / 4)}`, role: ['web', 'database', 'mail', 'backup'][i % 4],
          managementAddress: `10.52.0.${10 + i}`, commissionedOn: day(i <= 4 ? 2011 : i <= 8 ? 2013 : 2015),
        });
      }
      for (const d of departments) {
        wan(d.id, 'provincial_wan', 'fibre', 2011 + Math.floor(rnd() * 2), 20);
        devices.push({ agencyId: d.id, kind: 'firewall', serialNumber: nextSerial('FW'), manufacturer: 'Fortinet', model: 'FortiGate 60D', commissionedOn: day(2012 + Math.floor(rnd() * 3)) });
        lans.push({ id: randomUUID(), agencyId: d.id, name: 'LAN trụ sở', departmentsJoined: 6, departmentsTotal: 6, commissionedOn: day(2011) });
        workstations(d.id, 0.85);
      }
      wan(hospital, 'internet', 'fibre', 2012, 100);
      workstations(hospital, 0.7);

      for (const { d, id } of districtCommittees) {
        const wanYear = yearFor(d.pace, 2011, 4) ?? 2016;
        wan(id, 'provincial_wan', 'fibre', wanYear, 10);
        if (d.pace > 0.4) wan(id, 'tslcd', 'fibre', Math.min(2015, wanYear + 1), 10);
        const vc = yearFor(d.pace, 2012, 3);
        if (vc !== null) devices.push({ agencyId: id, kind: 'videoconference_endpoint', meetingSystem: 'province_district', name: `VC ${d.name}`, serialNumber: nextSerial('VC'), manufacturer: 'Polycom', model: 'RealPresence Group 300', status: vc > 2016 ? 'planned' : 'active', commissionedOn: day(vc) });
        const total = 10 + Math.floor(rnd() * 4);
        const lanYear = yearFor(d.pace, 2011, 4) ?? 2016;
        const completeYear = yearFor(d.pace, 2012, 4);
        lans.push(lan(id, 'LAN trụ sở UBND', total, lanYear, completeYear, 3));
        devices.push({ agencyId: id, kind: 'router', name: `rt-${d.code}`, serialNumber: nextSerial('RT'), manufacturer: 'Cisco', model: 'ISR 4321', managementAddress: `10.52.${Number(d.code) - 500}.1`, commissionedOn: day(wanYear) });
        devices.push({ agencyId: id, kind: 'firewall', serialNumber: nextSerial('FW'), manufacturer: 'Fortinet', model: 'FortiGate 30E', commissionedOn: day(Math.min(2015, wanYear + 1)) });
        workstations(id, d.pace);
      }

      communeAgencies.forEach(({ c, committee, station }, i) => {
        const pace = Math.min(1, Math.max(0, c.district.pace + (rnd() - 0.5) * 0.3));
        const lanYear = yearFor(pace, 2011, 6);
        if (lanYear !== null) {
          const total = 5 + Math.floor(rnd() * 3);
          const completeYear = yearFor(pace, lanYear, 3);
          lans.push(lan(committee, 'LAN trụ sở UBND xã', total, lanYear, completeYear, 2));
        }
        const fibre = yearFor(pace, 2012, 5);
        if (fibre !== null) wan(committee, 'internet', 'fibre', fibre, 16);
        else wan(committee, 'internet', 'copper', 2011, 4);
        const pwan = yearFor(pace, 2012, 6);
        if (pwan !== null) wan(committee, 'provincial_wan', 'fibre', pwan, 4);
        if (pace > 0.5 && rnd() < 0.6) devices.push({ agencyId: committee, kind: 'videoconference_endpoint', meetingSystem: 'district_commune', serialNumber: nextSerial('VC'), manufacturer: 'Yealink', model: 'VC200', commissionedOn: day(2014 + Math.floor(rnd() * 2)) });
        devices.push({ agencyId: committee, kind: 'switch', name: `sw-x${String(i + 1).padStart(3, '0')}`, serialNumber: nextSerial('SW'), manufacturer: 'TP-Link', model: 'TL-SG1024', commissionedOn: day(lanYear !== null ? Math.min(lanYear, 2016) : 2016), status: lanYear !== null && lanYear <= 2016 ? 'active' : 'planned' });
        workstations(committee, pace);
        const stationFibre = yearFor(pace * 0.8, 2013, 5);
        if (stationFibre !== null) wan(station, 'internet', 'fibre', stationFibre, 8);
        workstations(station, pace * 0.8);
      });

      // Dates past 2016 are plans: give them a future status consistently.
      for (const d of devices) if (d.commissionedOn && d.commissionedOn > '2016-12-31') d.status = 'planned';
      await this.lans.write({ create: lans }, ctx, m);
      await this.devices.write({ create: devices }, ctx, m);
      await this.wanLinks.write({ create: links }, ctx, m);
      const summary = { units: units.length, agencies: agencies.length, lans: lans.length, wanLinks: links.length, devices: devices.length };
      this.logger.log(`Demo province loaded: ${JSON.stringify(summary)}`);
      return summary;
    });
  }
}

