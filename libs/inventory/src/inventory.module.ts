import { UnitSuccessionsController } from './administrative-units/unit-successions.controller';
import { UnitSuccessionsService } from './administrative-units/unit-successions.service';
import { ReorganisationController } from './reorganisation/reorganisation.controller';
import { ReorganisationService } from './reorganisation/reorganisation.service';
import { DemoReorganisation } from './demo/demo-reorganisation';
import { Module } from '@nestjs/common';
import { AdministrativeUnitsController } from './administrative-units/administrative-units.controller';
import { AdministrativeUnitsService } from './administrative-units/administrative-units.service';
import { BoundariesController } from './administrative-units/boundaries.controller';
import { BoundariesService } from './administrative-units/boundaries.service';
import { AgenciesController } from './agencies/agencies.controller';
import { AgenciesService } from './agencies/agencies.service';
import { AuditController } from './audit/audit.controller';
import { AuditLog } from './audit/audit-log.service';
import { DemoProvince } from './demo/demo-province';
import { DevicesService } from './equipment/devices.service';
import { DevicesController, LansController, WanLinksController } from './equipment/equipment.controllers';
import { LansService } from './equipment/lans.service';
import { WanLinksService } from './equipment/wan-links.service';
import { SpreadsheetsController } from './spreadsheets/spreadsheets.controller';
import { ImportProgressBoard } from './spreadsheets/import-progress';
import { Spreadsheets } from './spreadsheets/spreadsheets.service';

@Module({
  // Spreadsheets first: /devices/export must not be taken for /devices/:id.
  controllers: [SpreadsheetsController, AdministrativeUnitsController, UnitSuccessionsController, ReorganisationController, AgenciesController, DevicesController, LansController, WanLinksController, AuditController, BoundariesController],
  providers: [Spreadsheets, ImportProgressBoard, DemoProvince, DemoReorganisation, AuditLog, AdministrativeUnitsService, UnitSuccessionsService, ReorganisationService, BoundariesService, AgenciesService, DevicesService, LansService, WanLinksService],
  exports: [Spreadsheets, DemoProvince, DemoReorganisation, AuditLog, AdministrativeUnitsService, UnitSuccessionsService, ReorganisationService, BoundariesService, AgenciesService, DevicesService, LansService, WanLinksService],
})
export class InventoryModule {}
