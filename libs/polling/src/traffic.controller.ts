import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AN_OBJECT, agencyWithinSql, CallerScope, DevicesService, Input, InventoryError, Permission, Requires, Returns, type Scope, WanLinksService } from '@app/inventory';
import { LinkUseQuery, MonthsQuery, TrafficQuery } from './polling.dto';
import { type Resolution, TrafficService } from './traffic.service';

const uuid = new ParseUUIDPipe({ version: undefined });
const DAY = 86_400_000;
/** A link whose busiest 5 % of 5-minute points use at least this share of its contract is busy; under IDLE, unused. */
export const BUSY_PERCENT = 80;
export const IDLE_PERCENT = 1;

const NUMBER = { type: 'number', nullable: true };
const LINK_USE_SCHEMA = {
  type: 'object',
  required: ['from', 'to', 'busyPercent', 'idlePercent', 'summary', 'items'],
  properties: {
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    busyPercent: { type: 'number' },
    idlePercent: { type: 'number' },
    summary: {
      type: 'object',
      required: ['links', 'measured', 'busy', 'idle', 'belowContract'],
      properties: {
        links: { type: 'integer', description: 'Links in service' },
        measured: { type: 'integer', description: 'Of them, links with traffic points in the span' },
        busy: { type: 'integer' },
        idle: { type: 'integer' },
        belowContract: { type: 'integer', description: 'Links whose interface reports less capacity (ifHighSpeed) than the contract' },
      },
    },
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['wanLinkId', 'agencyId', 'agencyName', 'network', 'contractedMbps', 'measuredMbps', 'points', 'inAvgBps', 'outAvgBps', 'inP95Bps', 'outP95Bps', 'utilisationPercent'],
        properties: {
          wanLinkId: { type: 'string', format: 'uuid' },
          agencyId: { type: 'string', format: 'uuid' },
          agencyName: { type: 'string' },
          network: { type: 'string' },
          contractedMbps: NUMBER,
          measuredMbps: NUMBER,
          points: { type: 'integer' },
          inAvgBps: NUMBER,
          outAvgBps: NUMBER,
          inP95Bps: NUMBER,
          outP95Bps: NUMBER,
          utilisationPercent: { ...NUMBER, description: 'The busier direction\'s 95th percentile against the contract' },
        },
      },
    },
  },
};

function span(q: TrafficQuery): { from: Date; to: Date } {
  const to = q.to ? new Date(q.to) : new Date();
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - DAY);
  if (to <= from) throw InventoryError.invalid('The span is empty', [{ field: 'to', message: 'to must be after from' }]);
  if (to.getTime() - from.getTime() > 5 * 366 * DAY) throw InventoryError.invalid('The span is too long', [{ field: 'from', message: 'at most 5 years (daily points are kept 5 years)' }]);
  return { from, to };
}

/** This month and the `n - 1` before it, as YYYY-MM in Vietnam's calendar. */
function lastMonths(n: number, now = Date.now()): string[] {
  const local = new Date(now + 7 * 3_600_000);
  return Array.from({ length: n }, (_, i) => {
    const d = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() - i, 1));
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  });
}

/** Traffic of interfaces and WAN links: series at a resolution, utilisation against the contract, and monthly 95th percentiles. */
@ApiTags('polling')
@Controller()
export class TrafficController {
  constructor(
    private readonly traffic: TrafficService,
    private readonly devices: DevicesService,
    private readonly wanLinks: WanLinksService,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  @Get('devices/:id/interfaces/:interfaceId/traffic')
  @Requires(Permission.InventoryRead)
  @Returns(AN_OBJECT, 'The resolution and the points: in and out bits per second, errors per second, seconds measured (and the busiest 5 minutes of hourly and daily points)')
  @ApiOperation({ summary: "An interface's traffic: 5-minute points up to 2 days, hourly up to 62, daily beyond (or ?resolution=)" })
  async interfaceTraffic(@Param('id', uuid) id: string, @Param('interfaceId', uuid) interfaceId: string, @Query(new Input(TrafficQuery)) q: TrafficQuery, @CallerScope() scope: Scope) {
    await this.devices.get(id, scope);
    const [row] = await this.ds.query(`SELECT id, name FROM device_interface WHERE id = $1 AND device_id = $2`, [interfaceId, id]);
    if (!row) throw InventoryError.notFound('interface', interfaceId);
    const { from, to } = span(q);
    return { interfaceId, name: row.name, from: from.toISOString(), to: to.toISOString(), ...(await this.traffic.series(interfaceId, from, to, q.resolution as Resolution | undefined)) };
  }

  @Get('wan-links/:id/traffic')
  @Requires(Permission.InventoryRead)
  @Returns(AN_OBJECT, 'The link\'s interface, contracted and measured capacity, and the points with their utilisation of the contract')
  @ApiOperation({ summary: "A WAN link's traffic on the interface that carries it, with each point's utilisation of the contracted bandwidth" })
  async linkTraffic(@Param('id', uuid) id: string, @Query(new Input(TrafficQuery)) q: TrafficQuery, @CallerScope() scope: Scope) {
    const { link, iface } = await this.linkInterface(id, scope);
    const { from, to } = span(q);
    const series = iface ? await this.traffic.series(iface.id, from, to, q.resolution as Resolution | undefined) : { resolution: null, points: [] };
    const contract = link.bandwidthMbps === null ? null : link.bandwidthMbps * 1e6;
    const percent = (bps: number) => (contract === null ? null : Math.round((bps / contract) * 10_000) / 100);
    return {
      wanLinkId: id,
      interfaceId: iface?.id ?? null,
      interfaceName: iface?.name ?? link.interfaceName,
      contractedMbps: link.bandwidthMbps,
      measuredMbps: iface?.speedMbps ?? null,
      from: from.toISOString(),
      to: to.toISOString(),
      resolution: series.resolution,
      points: series.points.map((p) => ({ ...p, inUtilisationPercent: percent(p.inBps), outUtilisationPercent: percent(p.outBps) })),
    };
  }

  @Get('wan-links/:id/traffic/monthly')
  @Requires(Permission.InventoryRead)
  @Returns(AN_OBJECT, "Each month's 95th percentile in and out, and its utilisation of the contract")
  @ApiOperation({ summary: "A WAN link's 95th percentile of each month's 5-minute points (how providers bill), this month and those before (?months=3); 5-minute points are kept 35 days" })
  async linkMonthly(@Param('id', uuid) id: string, @Query(new Input(MonthsQuery)) q: MonthsQuery, @CallerScope() scope: Scope) {
    const { link, iface } = await this.linkInterface(id, scope);
    const months = lastMonths(q.months ?? 3);
    const rows = iface ? await this.traffic.monthlyPercentiles(iface.id, months) : months.map((month) => ({ month, inP95Bps: null, outP95Bps: null, points: 0 }));
    const contract = link.bandwidthMbps === null ? null : link.bandwidthMbps * 1e6;
    const percent = (bps: number | null) => (contract === null || bps === null ? null : Math.round((bps / contract) * 10_000) / 100);
    return { wanLinkId: id, interfaceId: iface?.id ?? null, contractedMbps: link.bandwidthMbps, months: rows.map((r) => ({ ...r, inUtilisationPercent: percent(r.inP95Bps), outUtilisationPercent: percent(r.outP95Bps) })) };
  }

  @Get('traffic/wan-links')
  @Requires(Permission.InventoryRead)
  @Returns(LINK_USE_SCHEMA, 'Each link in service with its use over the span, busiest first, and how many are busy, unused or unmeasured')
  @ApiOperation({ summary: 'How much the WAN links in service are used: over the last N days (default 7), each link\'s average and 95th percentile in and out against its contract; within a unit (a plan\'s province)' })
  async linkUse(@Query(new Input(LinkUseQuery)) q: LinkUseQuery, @CallerScope() scope: Scope) {
    const to = new Date();
    const from = new Date(to.getTime() - (q.days ?? 7) * DAY);
    const params: unknown[] = [from];
    const conditions = [agencyWithinSql(scope, 'l.agency_id', params)];
    if (q.within) {
      const [unit]: Array<{ id: string; name: string; path: string }> = await this.ds.query('SELECT id, name, path FROM administrative_unit WHERE id = $1', [q.within]);
      if (!unit) throw InventoryError.invalid('The unit is not known', [{ field: 'within', message: `administrative unit ${q.within} does not exist` }]);
      conditions.push(agencyWithinSql({ kind: 'unit', unitId: unit.id, name: unit.name, path: unit.path }, 'l.agency_id', params));
    }
    if (q.network) {
      params.push(q.network);
      conditions.push(`l.network = $${params.length}`);
    }
    const rows: Array<{ wanLinkId: string; agencyId: string; agencyName: string; network: string; contractedMbps: number | null; measuredMbps: number | null; points: string; inAvgBps: number | null; outAvgBps: number | null; inP95Bps: number | null; outP95Bps: number | null }> =
      await this.ds.query(
        `SELECT l.id AS "wanLinkId", l.agency_id AS "agencyId", a.name AS "agencyName", l.network, l.bandwidth_mbps AS "contractedMbps", i.speed_mbps AS "measuredMbps",
                COALESCE(t.points, 0) AS points, t.in_avg AS "inAvgBps", t.out_avg AS "outAvgBps", t.in_p95 AS "inP95Bps", t.out_p95 AS "outP95Bps"
           FROM wan_link l
           JOIN agency a ON a.id = l.agency_id
           LEFT JOIN LATERAL (SELECT di.id, di.speed_mbps FROM device_interface di
                               WHERE di.device_id = l.device_id AND di.gone_at IS NULL AND (di.name = l.interface_name OR (l.interface_name IS NULL AND di.if_index = l.if_index)) LIMIT 1) i ON true
           LEFT JOIN LATERAL (SELECT count(*) AS points, avg(in_bps) AS in_avg, avg(out_bps) AS out_avg,
                                     percentile_cont(0.95) WITHIN GROUP (ORDER BY in_bps) AS in_p95, percentile_cont(0.95) WITHIN GROUP (ORDER BY out_bps) AS out_p95
                                FROM traffic_5m WHERE interface_id = i.id AND at >= $1) t ON true
          WHERE l.status IN ('active', 'faulty') AND ${conditions.join(' AND ')}`,
        params,
      );
    const items = rows.map((r) => {
      const points = Number(r.points);
      // numeric comes back from a raw query as text.
      const contractedMbps = r.contractedMbps === null ? null : Number(r.contractedMbps);
      const busier = points > 0 ? Math.max(r.inP95Bps ?? 0, r.outP95Bps ?? 0) : null;
      const utilisationPercent = busier === null || !contractedMbps ? null : Math.round((busier / (contractedMbps * 1e6)) * 10_000) / 100;
      return { ...r, contractedMbps, points, utilisationPercent };
    });
    items.sort((a, b) => (b.utilisationPercent ?? -1) - (a.utilisationPercent ?? -1) || a.agencyName.localeCompare(b.agencyName));
    const summary = {
      links: items.length,
      measured: items.filter((i) => i.points > 0).length,
      busy: items.filter((i) => i.utilisationPercent !== null && i.utilisationPercent >= BUSY_PERCENT).length,
      idle: items.filter((i) => i.utilisationPercent !== null && i.utilisationPercent < IDLE_PERCENT).length,
      belowContract: items.filter((i) => i.measuredMbps !== null && i.contractedMbps !== null && i.measuredMbps < i.contractedMbps).length,
    };
    return { from: from.toISOString(), to: to.toISOString(), busyPercent: BUSY_PERCENT, idlePercent: IDLE_PERCENT, summary, items };
  }

  /** The link (in the caller's scope) and the listed interface that carries it: by name, else by ifIndex. */
  private async linkInterface(id: string, scope: Scope) {
    const link = await this.wanLinks.get(id, scope);
    if (!link.deviceId) return { link, iface: null };
    const [iface]: Array<{ id: string; name: string; speedMbps: number | null }> = await this.ds.query(
      `SELECT id, name, speed_mbps AS "speedMbps" FROM device_interface
        WHERE device_id = $1 AND gone_at IS NULL AND (name = $2 OR ($2::varchar IS NULL AND if_index = $3)) LIMIT 1`,
      [link.deviceId, link.interfaceName, link.ifIndex],
    );
    return { link, iface: iface ?? null };
  }
}
