import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AN_OBJECT, CallerScope, DevicesService, Input, InventoryError, Permission, Requires, Returns, type Scope, WanLinksService } from '@app/inventory';
import { MonthsQuery, TrafficQuery } from './polling.dto';
import { type Resolution, TrafficService } from './traffic.service';

const uuid = new ParseUUIDPipe({ version: undefined });
const DAY = 86_400_000;

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
