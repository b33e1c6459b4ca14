import { Body, Controller, Get, HttpCode, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiPropertyOptional, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsNumber, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { CallerScope, Permission, Requires, type Scope } from '../access/access';
import type { ChangeContext } from '../audit/audit-log.service';
import { Change, Input } from '../shared/http';
import { Returns } from '../shared/responses';
import { UNIT_LEVELS, type UnitLevel } from '../shared/vocabulary';
import { type BoundaryImport, BoundariesService } from './boundaries.service';

export class BoundaryQuery {
  @ApiProperty({ example: '52', description: 'The unit whose units are mapped: an id or a GSO code' })
  @IsString()
  @MaxLength(64)
  within: string;

  @ApiPropertyOptional({ enum: UNIT_LEVELS, default: 'district' })
  @IsOptional()
  @IsIn(UNIT_LEVELS)
  level?: UnitLevel;

  @ApiPropertyOptional({ default: 0.001, description: 'Simplification in degrees (0.001° ≈ 110 m); 0 keeps every position' })
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  @IsNumber()
  @Min(0)
  @Max(0.1)
  tolerance?: number;
}

const FEATURES = {
  type: 'object',
  required: ['type', 'features'],
  properties: {
    type: { type: 'string', enum: ['FeatureCollection'] },
    features: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type', 'id', 'properties', 'geometry'],
        properties: {
          type: { type: 'string', enum: ['Feature'] },
          id: { type: 'string', format: 'uuid' },
          properties: { type: 'object', required: ['id', 'code', 'name'], properties: { id: { type: 'string', format: 'uuid' }, code: { type: 'string' }, name: { type: 'string' } } },
          geometry: {
            type: 'object',
            required: ['type', 'coordinates'],
            properties: { type: { type: 'string', enum: ['Polygon', 'MultiPolygon'] }, coordinates: { type: 'array', items: {} } },
          },
        },
      },
    },
  },
};

@ApiTags('administrative units')
@Controller('boundaries')
export class BoundariesController {
  constructor(private readonly boundaries: BoundariesService) {}

  @Get()
  @Requires(Permission.InventoryRead)
  @ApiOperation({ summary: 'The boundaries of the units beneath one (e.g. the districts of a province), simplified, as GeoJSON (WGS84)' })
  @Returns(FEATURES, 'A GeoJSON FeatureCollection: each unit\'s id, GSO code, name and boundary')
  features(@Query(new Input(BoundaryQuery)) q: BoundaryQuery, @CallerScope() scope: Scope) {
    return this.boundaries.features(q.within, q.level ?? 'district', scope, q.tolerance ?? 0.001);
  }

  @Put()
  @Requires(Permission.UnitsWrite)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Import units\' boundaries by GSO code: a GeoJSON FeatureCollection (properties.code) or the dvhcvn GIS format (level2s[])',
    description: 'Polygons or MultiPolygons in WGS84; every geometry is checked (closed rings, ranges) and a bad one refuses the whole file. Codes that name no current unit are listed. `dryRun=true` only counts.',
  })
  @ApiQuery({ name: 'dryRun', required: false, type: Boolean })
  @ApiBody({ schema: { type: 'object', additionalProperties: true } })
  @Returns({ type: 'object', required: ['dryRun', 'updated', 'unchanged', 'unknownCodes'], properties: { dryRun: { type: 'boolean' }, updated: { type: 'integer' }, unchanged: { type: 'integer' }, unknownCodes: { type: 'array', items: { type: 'string' } } } }, 'What the import did')
  import(@Body() body: unknown, @Query('dryRun') dryRun: string | undefined, @Change() ctx: ChangeContext): Promise<BoundaryImport> {
    return this.boundaries.import(body, { ...ctx, source: 'import' }, { dryRun: dryRun === 'true' });
  }
}
