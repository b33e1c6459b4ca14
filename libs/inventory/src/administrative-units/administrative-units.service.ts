import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, IsNull, type SelectQueryBuilder } from 'typeorm';
import { AuditLog, type ChangeContext } from '../audit/audit-log.service';
import { parseDay } from '../shared/dates';
import { fold, likeEscape } from '../shared/fold';
import { type Page, paginate } from '../shared/list-query';
import type { Scope } from '../access/access';
import { whereVisible } from '../access/scope';
import { anyOf, type Candidate, InventoryResource, isUuid, newId } from '../shared/inventory-resource';
import { type FieldProblem, InventoryError, InventoryErrorCode } from '../shared/inventory-error';
import type { UnitLevel } from '../shared/vocabulary';
import { AdministrativeUnit } from './administrative-unit.entity';
import {
  type AdministrativeUnitQuery,
  CODE_LENGTH,
  type CreateAdministrativeUnit,
  UNIT_TYPES,
  type UpdateAdministrativeUnit,
} from './administrative-unit.dto';

const PARENT_LEVELS: Record<UnitLevel, readonly UnitLevel[]> = {
  province: [],
  district: ['province'],
  commune: ['district', 'province'],
};

/** One row of the official list, flattened: the GSO web service's three levels. */
export interface OfficialUnit {
  code: string;
  name: string;
  type: string;
  level: UnitLevel;
  parentCode: string | null;
}

export interface OfficialListImport {
  validFrom: string | null;
  provinces: number;
  districts: number;
  communes: number;
  /** Codes the database had no current unit of. */
  created: number;
  /** Units changed in place: a list without a date, or a correction of the list their version came from. */
  updated: number;
  /** Units whose name, type or parent changed from the list's date: the old version ends then, a new one begins. */
  versioned: number;
  /** Current units the list leaves out, ended at its date (with `replaces`). */
  ended: number;
  unchanged: number;
}

@Injectable()
export class AdministrativeUnitsService extends InventoryResource<AdministrativeUnit, CreateAdministrativeUnit, UpdateAdministrativeUnit> {
  readonly type = 'administrative_unit';
  protected readonly entity = AdministrativeUnit;
  protected readonly alias = 'u';
  protected readonly place = 'unit' as const;
  protected readonly sortable = {
    fields: { code: '"u"."code"', name: '"u"."name"', level: '"u"."level"', validFrom: '"u"."valid_from"' },
    default: 'code',
  };

  constructor(@InjectDataSource() ds: DataSource, audit: AuditLog) {
    super(ds, audit);
  }

  /**
   * With `q` and no sort, what a person means comes first: a unit whose name is the query (after
   * its type: "Binh Dinh" is "Tỉnh Bình Định") before one that only contains it, a higher level
   * before a lower one, then by name ("Binh Dinh" lists the province before the five communes).
   */
  override async list(query: AdministrativeUnitQuery, scope: Scope, options: { count?: boolean } = {}): Promise<Page<AdministrativeUnit>> {
    if (!query.q || (query.sort && query.sort !== 'relevance')) return super.list(query, scope, options);
    const q = fold(query.q.trim()).replace(/'/g, "''");
    const exact = `(hatang_fold("u"."name") = '${q}' OR hatang_fold("u"."name") LIKE '% ${likeEscape(q)}' ESCAPE '\\')`;
    const relevance = `((CASE WHEN ${exact} THEN '0' ELSE '1' END) || (CASE "u"."level" WHEN 'province' THEN '0' WHEN 'district' THEN '1' ELSE '2' END) || ' ' || hatang_fold("u"."name"))`;
    return paginate(whereVisible(await this.filtered(query), scope, this.place, this.alias), { ...query, sort: 'relevance' }, { fields: { ...this.sortable.fields, relevance }, default: 'relevance' }, '"u"', options);
  }

  /** A unit by id or by current GSO code. */
  async resolve(idOrCode: string, m: EntityManager = this.ds.manager): Promise<AdministrativeUnit | null> {
    const repo = m.getRepository(AdministrativeUnit);
    if (isUuid(idOrCode)) return repo.findOneBy({ id: idOrCode });
    if (/^\d{2,5}$/.test(idOrCode)) return repo.findOneBy({ code: idOrCode, validTo: IsNull() });
    return null;
  }

  /** The path prefix of a unit named in a filter; a clear error when it does not exist. */
  async subtreePath(idOrCode: string, field: string): Promise<string> {
    const unit = await this.resolve(idOrCode);
    if (!unit) {
      throw InventoryError.invalid('Unknown administrative unit', [
        { field, message: `no administrative unit with id or code ${idOrCode}`, value: idOrCode },
      ]);
    }
    return unit.path;
  }

  protected async filtered(query: AdministrativeUnitQuery): Promise<SelectQueryBuilder<AdministrativeUnit>> {
    const qb = this.repo().createQueryBuilder('u');
    if (query.level) qb.andWhere('u.level = :level', { level: query.level });
    if (query.code) qb.andWhere('u.code = :code', { code: query.code });
    if (query.parentId) qb.andWhere('u.parent_id = :parentId', { parentId: query.parentId });
    if (query.within) {
      const path = await this.subtreePath(query.within, 'within');
      qb.andWhere(`u.path LIKE :within ESCAPE '\\' AND u.path <> :self`, { within: `${likeEscape(path)}%`, self: path });
    }
    if (query.validOn !== 'all') {
      const on = query.validOn ?? new Date().toISOString().slice(0, 10);
      qb.andWhere('(u.valid_from IS NULL OR u.valid_from <= :on) AND (u.valid_to IS NULL OR u.valid_to > :on)', { on });
    }
    if (query.q) qb.andWhere(`hatang_fold(u.name) LIKE :q ESCAPE '\\'`, { q: `%${likeEscape(fold(query.q))}%` });
    return qb;
  }

  protected override build(input: CreateAdministrativeUnit): AdministrativeUnit {
    return { parentId: null, validFrom: null, validTo: null, ...input, id: newId(input), path: '' } as AdministrativeUnit;
  }

  protected async check(candidates: Candidate<AdministrativeUnit>[], m: EntityManager): Promise<Map<number, FieldProblem[]>> {
    const out = new Map<number, FieldProblem[]>();
    const parentIds = [...new Set(candidates.map((c) => c.after.parentId).filter((id): id is string => !!id))];
    const parents = new Map((await m.getRepository(AdministrativeUnit).findBy({ id: anyOf(parentIds) })).map((p) => [p.id, p]));
    const inBatch = new Map(candidates.map((c) => [c.after.id, c.after]));
    const codes = candidates.filter((c) => !c.after.validTo).map((c) => c.after.code);
    const taken = new Map(
      (await m.getRepository(AdministrativeUnit).findBy({ code: anyOf(codes), validTo: IsNull() })).map((u) => [u.code, u.id]),
    );
    const codesInBatch = new Map<string, number>();
    for (const c of candidates) {
      const u = c.after;
      const p: FieldProblem[] = [];
      if (u.code.length !== CODE_LENGTH[u.level]) {
        p.push({ field: 'code', message: `a ${u.level} code has ${CODE_LENGTH[u.level]} digits`, value: u.code });
      }
      if (!UNIT_TYPES[u.level].includes(u.type)) {
        p.push({ field: 'type', message: `a ${u.level} is one of: ${UNIT_TYPES[u.level].join(', ')}`, value: u.type });
      }
      if (u.validFrom && u.validTo && u.validTo <= u.validFrom) p.push({ field: 'validTo', message: 'validTo must be after validFrom' });
      if (!u.validTo) {
        const owner = taken.get(u.code);
        if (owner && owner !== u.id) p.push({ field: 'code', message: `a current unit already has code ${u.code}`, value: u.code });
        const twin = codesInBatch.get(u.code);
        if (twin !== undefined) p.push({ field: 'code', message: `code ${u.code} also appears at [${twin}]`, value: u.code });
        codesInBatch.set(u.code, c.index);
      }
      const parent = u.parentId ? (parents.get(u.parentId) ?? inBatch.get(u.parentId)) : null;
      if (u.parentId && !parent) p.push({ field: 'parentId', message: `no administrative unit ${u.parentId}`, value: u.parentId });
      if (u.level === 'province' && u.parentId) p.push({ field: 'parentId', message: 'a province has no parent' });
      if (u.level !== 'province' && !u.parentId) p.push({ field: 'parentId', message: `a ${u.level} needs a parent` });
      if (parent && !PARENT_LEVELS[u.level].includes(parent.level)) {
        p.push({ field: 'parentId', message: `a ${u.level} cannot sit under a ${parent.level}` });
      }
      if (parent && c.before && parent.path.includes(`/${u.id}/`)) p.push({ field: 'parentId', message: 'a unit cannot move beneath itself' });
      if (p.length) out.set(c.index, p);
      else u.path = `${parent?.path ?? '/'}${u.id}/`;
    }
    return out;
  }

  protected override async afterWrite(candidates: Candidate<AdministrativeUnit>[], m: EntityManager): Promise<void> {
    for (const c of candidates) {
      if (c.before && c.before.path !== c.after.path) {
        await m.query(
          `UPDATE administrative_unit SET path = $1 || substr(path, length($2) + 1) WHERE path LIKE $3 ESCAPE '\\' AND id <> $4`,
          [c.after.path, c.before.path, `${likeEscape(c.before.path)}%`, c.after.id],
        );
      }
    }
  }

  protected override async blockersOfDelete(ids: string[], m: EntityManager): Promise<Map<string, string>> {
    const rows: Array<{ id: string; children: number; agencies: number }> = await m.query(
      `SELECT u.id,
              (SELECT count(*) FROM administrative_unit c WHERE c.parent_id = u.id)::int AS children,
              (SELECT count(*) FROM agency a WHERE a.administrative_unit_id = u.id)::int AS agencies
         FROM administrative_unit u WHERE u.id = ANY($1)`,
      [ids],
    );
    const out = new Map<string, string>();
    for (const r of rows) {
      if (r.children || r.agencies) out.set(r.id, `still has ${r.children} units and ${r.agencies} agencies beneath it`);
    }
    return out;
  }

  /**
   * Loads an official list: the GSO three-level list (the dvhcvn JSON format, dated by its
   * `data_date`) or the two-level list after the 2025 reorganisation (`[{ Code, FullName, Wards }]`,
   * dated by `validFrom`, the day it came into force). A unit the list changes keeps its history:
   * its current version ends at the list's date and a new version begins then (a list without a
   * date, or a correction of the list a version came from, changes it in place). With `replaces`,
   * the units the list leaves out end at its date (the districts and communes a reorganisation
   * dissolved). Running it twice changes nothing.
   */
  async importOfficialList(
    payload: unknown,
    ctx: ChangeContext,
    options: { dryRun?: boolean; validFrom?: string; replaces?: boolean } = {},
  ): Promise<OfficialListImport> {
    if (ctx.scope.kind !== 'country') throw InventoryError.forbidden('The official list covers the whole country: importing it needs a token scoped to the whole country');
    const parsed = parseOfficialList(payload, options.validFrom);
    const { units, validFrom } = parsed;
    if (options.replaces && !validFrom) {
      throw InventoryError.invalid('A list that replaces the current one needs its date', [{ field: 'validFrom', message: 'give the day the list came into force (YYYY-MM-DD): the units it leaves out end then' }]);
    }
    return this.ds.transaction(async (m) => {
      const current = await m.getRepository(AdministrativeUnit).findBy({ validTo: IsNull() });
      const byCode = new Map(current.map((u) => [u.code, u]));
      const idOf = (code: string) => byCode.get(code)?.id;
      const creates: Array<CreateAdministrativeUnit & { id: string }> = [];
      const inPlace: Array<UpdateAdministrativeUnit & { id: string }> = [];
      const ends: Array<UpdateAdministrativeUnit & { id: string }> = [];
      const problems: FieldProblem[] = [];
      let created = 0;
      let versioned = 0;
      let unchanged = 0;
      // A first list is a snapshot of units that existed long before its date: they get no
      // validFrom, so coverage of earlier years counts them. Units that appear in a later list
      // came into being by that list's date.
      const since = current.length ? validFrom : null;
      // The list comes parents first; a new unit (or version) gets its id here so its children can point at it.
      for (const o of units) {
        const found = byCode.get(o.code);
        const parentId = o.parentCode ? (idOf(o.parentCode) ?? null) : null;
        if (!found) {
          const made = { id: randomUUID(), code: o.code, name: o.name, type: o.type, level: o.level, parentId, validFrom: since };
          byCode.set(o.code, made as AdministrativeUnit);
          creates.push(made);
          created++;
        } else if (found.name === o.name && found.type === o.type && found.level === o.level && found.parentId === parentId) {
          unchanged++;
        } else if (!validFrom || found.validFrom === validFrom || creates.some((c) => c.id === found.id)) {
          inPlace.push({ id: found.id, name: o.name, type: o.type, level: o.level, parentId });
        } else if (found.validFrom && found.validFrom > validFrom) {
          problems.push({ field: o.code, message: `${found.name} (${o.code}) has a version from ${found.validFrom}, after this list's date ${validFrom}: import lists in the order of their dates` });
        } else {
          ends.push({ id: found.id, validTo: validFrom });
          const made = { id: randomUUID(), code: o.code, name: o.name, type: o.type, level: o.level, parentId, validFrom };
          byCode.set(o.code, made as AdministrativeUnit);
          creates.push(made);
          versioned++;
        }
      }
      let ended = 0;
      if (options.replaces) {
        const listed = new Set(units.map((u) => u.code));
        for (const u of current) {
          if (listed.has(u.code)) continue;
          if (u.validFrom && u.validFrom >= validFrom!) {
            problems.push({ field: u.code, message: `${u.name} (${u.code}) began on ${u.validFrom}, not before this list's date ${validFrom}: it cannot end then` });
            continue;
          }
          ends.push({ id: u.id, validTo: validFrom });
          ended++;
        }
      }
      if (problems.length) throw new InventoryError(InventoryErrorCode.ImportRejected, 'The list cannot be applied to the units as they are', problems);
      const summary = {
        validFrom,
        provinces: units.filter((u) => u.level === 'province').length,
        districts: units.filter((u) => u.level === 'district').length,
        communes: units.filter((u) => u.level === 'commune').length,
        created,
        updated: inPlace.length,
        versioned,
        ended,
        unchanged,
      };
      if (options.dryRun || (!creates.length && !inPlace.length && !ends.length)) return summary;
      // Ends first (a code is free for its new version once the old one has ended), then the new
      // units and versions, then the changes in place (which may point at a new parent).
      if (ends.length) await this.write({ update: ends }, ctx, m);
      if (creates.length) await this.write({ create: creates }, ctx, m);
      if (inPlace.length) await this.write({ update: inPlace }, ctx, m);
      return summary;
    });
  }
}

const LIST_KEYS: Record<UnitLevel, string> = { province: 'level1_id', district: 'level2_id', commune: 'level3_id' };

/**
 * Reads an official list into flat rows, or says what is wrong: the dvhcvn JSON
 * (`data[].level2s[].level3s[]`, dated by `data_date`), or the two-level list after the 2025
 * reorganisation (`[{ Code, FullName, Wards: [{ Code, FullName }] }]`, dated by `validFrom`).
 */
export function parseOfficialList(payload: unknown, validFromGiven?: string): { units: OfficialUnit[]; validFrom: string | null; format: 'gso' | 'two-level' } {
  if (Array.isArray(payload)) return parseTwoLevelList(payload, validFromGiven);
  const problems: FieldProblem[] = [];
  const root = payload as { data?: unknown; data_date?: unknown };
  if (!root || typeof root !== 'object' || !Array.isArray(root.data)) {
    throw InventoryError.invalid('Not an official administrative list', [{ field: 'data', message: 'expected an object with a data array of provinces' }]);
  }
  const units: OfficialUnit[] = [];
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  // The same limits as a unit typed in through the API, each naming where in the list it failed.
  const add = (u: OfficialUnit, at: string) => {
    const before = problems.length;
    if (!new RegExp(`^\\d{${CODE_LENGTH[u.level]}}$`).test(u.code)) problems.push({ field: `${at}.${LIST_KEYS[u.level]}`, message: `a ${u.level}'s code is ${CODE_LENGTH[u.level]} digits`, value: u.code });
    if (u.name.length > 200) problems.push({ field: `${at}.name`, message: 'a name has at most 200 characters', value: u.name });
    if (u.type.length > 60) problems.push({ field: `${at}.type`, message: 'a type has at most 60 characters', value: u.type });
    if (problems.length === before) units.push(u);
  };
  root.data.forEach((p: Record<string, unknown>, i: number) => {
    const code = str(p?.level1_id);
    const name = str(p?.name);
    const type = str(p?.type);
    if (!code || !name || !type) {
      problems.push({ field: `data[${i}]`, message: 'a province needs level1_id, name and type' });
      return;
    }
    add({ code, name, type, level: 'province', parentCode: null }, `data[${i}]`);
    const level2s = Array.isArray(p.level2s) ? (p.level2s as Array<Record<string, unknown>>) : [];
    level2s.forEach((d, j) => {
      const dcode = str(d?.level2_id);
      const dname = str(d?.name);
      const dtype = str(d?.type);
      if (!dcode || !dname || !dtype) {
        problems.push({ field: `data[${i}].level2s[${j}]`, message: 'a district needs level2_id, name and type' });
        return;
      }
      add({ code: dcode, name: dname, type: dtype, level: 'district', parentCode: code }, `data[${i}].level2s[${j}]`);
      const level3s = Array.isArray(d.level3s) ? (d.level3s as Array<Record<string, unknown>>) : [];
      level3s.forEach((c, k) => {
        const ccode = str(c?.level3_id);
        const cname = str(c?.name);
        const ctype = str(c?.type);
        if (!ccode || !cname || !ctype) {
          problems.push({ field: `data[${i}].level2s[${j}].level3s[${k}]`, message: 'a commune needs level3_id, name and type' });
          return;
        }
        add({ code: ccode, name: cname, type: ctype, level: 'commune', parentCode: dcode }, `data[${i}].level2s[${j}].level3s[${k}]`);
      });
    });
  });
  let validFrom: string | null = null;
  if (validFromGiven !== undefined) {
    validFrom = parseDay(validFromGiven);
    if (!validFrom) problems.push({ field: 'validFrom', message: 'validFrom must be a real date YYYY-MM-DD', value: validFromGiven });
  } else if (root.data_date !== undefined && root.data_date !== null && root.data_date !== '') {
    validFrom = typeof root.data_date === 'string' ? parseDay(root.data_date) : null;
    if (!validFrom) problems.push({ field: 'data_date', message: 'data_date must be a real date dd/mm/yyyy (as the list publishes it) or YYYY-MM-DD', value: root.data_date });
  }
  if (problems.length) throw new InventoryError(InventoryErrorCode.ImportRejected, 'The official list has malformed entries', problems);
  return { units, validFrom, format: 'gso' };
}

/** The type a full name begins with ("Phường Quy Nhơn Bắc" → Phường), in the API's spelling. */
function typeOfFullName(fullName: string, name: string, level: UnitLevel): string | null {
  const prefix = fullName.endsWith(name) ? fullName.slice(0, fullName.length - name.length).trim() : '';
  return UNIT_TYPES[level].find((t) => t.toLowerCase() === prefix.toLowerCase()) ?? null;
}

/** The two-level list after the 2025 reorganisation: provinces and their communes, no districts. */
function parseTwoLevelList(payload: unknown[], validFromGiven?: string): { units: OfficialUnit[]; validFrom: string | null; format: 'two-level' } {
  const problems: FieldProblem[] = [];
  const units: OfficialUnit[] = [];
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim().replace(/\s+/g, ' ') : null);
  const validFrom = validFromGiven === undefined ? null : parseDay(validFromGiven);
  if (!validFrom) problems.push({ field: 'validFrom', message: 'a two-level list carries no date: give validFrom, the day it came into force (YYYY-MM-DD, 2025-07-01 for the 2025 reorganisation)', value: validFromGiven });
  const add = (level: UnitLevel, code: string | null, name: string | null, fullName: string | null, parentCode: string | null, at: string) => {
    if (!code || !name || !fullName) return void problems.push({ field: at, message: `a ${level} needs Code, Name and FullName` });
    if (!new RegExp(`^\\d{${CODE_LENGTH[level]}}$`).test(code)) return void problems.push({ field: `${at}.Code`, message: `a ${level}'s code is ${CODE_LENGTH[level]} digits`, value: code });
    const type = typeOfFullName(fullName, name, level);
    if (!type) return void problems.push({ field: `${at}.FullName`, message: `a ${level}'s full name begins with one of: ${UNIT_TYPES[level].join(', ')}`, value: fullName });
    if (fullName.length > 200) return void problems.push({ field: `${at}.FullName`, message: 'a name has at most 200 characters', value: fullName });
    // Stored as the GSO list writes names: the type first ("Xã Nhơn Châu").
    units.push({ code, name: `${type} ${name}`, type, level, parentCode });
  };
  payload.forEach((p, i) => {
    const province = (p ?? {}) as Record<string, unknown>;
    const code = str(province.Code);
    add('province', code, str(province.Name), str(province.FullName), null, `[${i}]`);
    const wards = Array.isArray(province.Wards) ? (province.Wards as Array<Record<string, unknown>>) : [];
    if (!Array.isArray(province.Wards)) problems.push({ field: `[${i}].Wards`, message: 'a province of a two-level list has a Wards array' });
    wards.forEach((w, j) => add('commune', str(w?.Code), str(w?.Name), str(w?.FullName), code, `[${i}].Wards[${j}]`));
  });
  if (problems.length) throw new InventoryError(InventoryErrorCode.ImportRejected, 'The official list has malformed entries', problems);
  return { units, validFrom, format: 'two-level' };
}
