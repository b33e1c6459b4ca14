import { Command, CommandRunner, Option } from 'nest-commander';
import { type ApplyOutcome, type ApplyRequest, DemoReorganisation, EVERYWHERE, type NewCommune, ReorganisationService, UnitSuccessionsService } from '@app/inventory';
import { CLI, readJsonOrExit, report } from './commands';

@Command({
  name: 'successions-propose',
  arguments: '<file>',
  description: 'Propose, from the official texts (reorganisation-2025-communes.json), the old unit each name of each new commune means; confirmed rows are kept',
})
export class SuccessionsProposeCommand extends CommandRunner {
  constructor(private readonly successions: UnitSuccessionsService) {
    super();
  }

  @Option({ flags: '--effective-on <day>', description: 'The day the new units came into force (default 2025-07-01)' })
  parseDay(value: string): string {
    return value;
  }

  @Option({ flags: '--dry-run', description: 'Count, write nothing' })
  parseDryRun(): boolean {
    return true;
  }

  async run([file]: string[], options: { effectiveOn?: string; dryRun?: boolean }): Promise<void> {
    const texts = readJsonOrExit(file) as NewCommune[];
    const started = Date.now();
    const out = await this.successions.propose(texts, options.effectiveOn ?? '2025-07-01', { ...CLI, source: 'import' }, { dryRun: options.dryRun }).catch(report);
    const pct = out.names ? ((out.proposed + out.keptConfirmed) / out.names) * 100 : 0;
    process.stdout.write(
      `${options.dryRun ? 'Dry run: ' : ''}${out.communes} new communes, ${out.names} names: ${out.proposed} proposed, ${out.open} open for a person, ${out.keptConfirmed} confirmed before and kept (${pct.toFixed(2)}% decided) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
    if (out.unknownCommunes.length) process.stdout.write(`Not units valid from ${out.effectiveOn} (import the new list first): ${out.unknownCommunes.join(', ')}\n`);
  }
}

@Command({ name: 'successions-list', description: 'List the reorganisation mapping: each name, the old unit it means or its candidates (--open: only those a person must decide)' })
export class SuccessionsListCommand extends CommandRunner {
  constructor(private readonly successions: UnitSuccessionsService) {
    super();
  }

  @Option({ flags: '--open', description: 'Only the names a person must decide' })
  parseOpen(): boolean {
    return true;
  }

  @Option({ flags: '--province <code>', description: 'Only the new communes of this province (its 2-digit code)' })
  parseProvince(value: string): string {
    return value;
  }

  async run(_: string[], options: { open?: boolean; province?: string }): Promise<void> {
    const page = await this.successions.list({ status: options.open ? 'open' : undefined, province: options.province, limit: 100_000 }, EVERYWHERE).catch(report);
    for (const s of page.items) {
      const decided = s.oldUnit ? `${s.oldUnit.code} ${s.oldUnit.name}${s.oldUnit.district ? ` (${s.oldUnit.district})` : ''}` : `? candidates: ${s.candidates.map((c) => `${c.code} ${c.name}`).join('; ') || 'none'}`;
      process.stdout.write(`${s.id}\t${s.newUnit.code} ${s.newUnit.name}\t${s.itemText}\t→ ${decided}\t${s.status}${s.share === 'part' ? ', part' : ''}${s.confirmedBy ? `, by ${s.confirmedBy}` : ''}\n`);
    }
    process.stderr.write(`${page.total} names: ${page.counts.proposed} proposed, ${page.counts.open} open, ${page.counts.confirmed} confirmed\n`);
  }
}

@Command({ name: 'successions-review', arguments: '<id>', description: 'Decide one name: the old unit it means (--old-code), or confirm its proposal as it is' })
export class SuccessionsReviewCommand extends CommandRunner {
  constructor(private readonly successions: UnitSuccessionsService) {
    super();
  }

  @Option({ flags: '--old-code <code>', description: 'The GSO code of the old district or commune the name means' })
  parseCode(value: string): string {
    return value;
  }

  @Option({ flags: '--share <share>', description: 'whole, or part (the old unit was split)' })
  parseShare(value: string): string {
    return value;
  }

  async run([id]: string[], options: { oldCode?: string; share?: 'whole' | 'part' }): Promise<void> {
    if (options.share && options.share !== 'whole' && options.share !== 'part') {
      process.stderr.write('--share is whole or part\n');
      process.exit(1);
    }
    const s = await this.successions.review(id, { oldCode: options.oldCode, share: options.share }, CLI).catch(report);
    process.stdout.write(`${s.newUnit.code} ${s.newUnit.name}: ${s.itemText} → ${s.oldUnit!.code} ${s.oldUnit!.name} (${s.share}), confirmed by ${s.confirmedBy}\n`);
  }
}

@Command({
  name: 'reorganise',
  description: 'Carry one new province\'s inventory across the reorganisation, from the mapping as it stands (--dry-run: show what would happen, write nothing)',
})
export class ReorganiseCommand extends CommandRunner {
  constructor(private readonly reorganisation: ReorganisationService) {
    super();
  }

  @Option({ flags: '--province <code>', description: 'The new province\'s 2-digit code, or all (every new province in one run)', required: true })
  parseProvince(value: string): string {
    return value;
  }

  @Option({ flags: '--effective-on <day>', description: 'The day the new units came into force (default 2025-07-01)' })
  parseDay(value: string): string {
    return value;
  }

  @Option({ flags: '--decisions <file>', description: 'A JSON file { agencies: [{ agencyId, to }], equipment: [{ type, id, to }] } placing what the mapping cannot' })
  parseDecisions(value: string): string {
    return value;
  }

  @Option({ flags: '--dry-run', description: 'Do it all and roll it back' })
  parseDryRun(): boolean {
    return true;
  }

  async run(_: string[], options: { province: string; effectiveOn?: string; decisions?: string; dryRun?: boolean }): Promise<void> {
    const decisions = options.decisions ? (readJsonOrExit(options.decisions) as Pick<ApplyRequest, 'agencies' | 'equipment'>) : {};
    const started = Date.now();
    const out = await this.reorganisation.apply({ ...decisions, province: options.province, effectiveOn: options.effectiveOn }, CLI, { dryRun: options.dryRun }).catch(report);
    process.stdout.write(describeApply(out, (Date.now() - started) / 1000));
  }
}

@Command({ name: 'reorganise-revert', arguments: '<run>', description: 'Undo one run of reorganise: equipment back where it was, the agencies it created removed, those it ended current again' })
export class ReorganiseRevertCommand extends CommandRunner {
  constructor(private readonly reorganisation: ReorganisationService) {
    super();
  }

  async run([id]: string[]): Promise<void> {
    const run = await this.reorganisation.revert(id, CLI).catch(report);
    process.stdout.write(`Run ${run.id} (${run.provinceCodes.join(', ')}, ${run.effectiveOn}) reverted by ${run.revertedBy}\n`);
  }
}

@Command({ name: 'demo-reorganise', description: 'Carry the demo province (Tỉnh Bình Định) across the 2025 reorganisation into Tỉnh Gia Lai (52), with the data shipped for it' })
export class DemoReorganiseCommand extends CommandRunner {
  constructor(private readonly demo: DemoReorganisation) {
    super();
  }

  async run(): Promise<void> {
    const started = Date.now();
    const out = await this.demo.carryAcross().catch(report);
    process.stdout.write(
      `Units from ${out.units.validFrom}: ${out.units.created} created, ${out.units.versioned} versioned, ${out.units.ended} ended\n` +
        `Mapping: ${out.mapping.names} names of ${out.mapping.communes} new communes, ${out.mapping.proposed} proposed, ${out.mapping.open} open for a person\n` +
        describeApply(out.applied, (Date.now() - started) / 1000),
    );
  }
}

function describeApply(out: ApplyOutcome, seconds: number): string {
  const e = out.equipment;
  const lines = [
    `${out.dryRun ? 'Dry run (nothing written): ' : `Run ${out.runId}: `}${out.provinces.length === 1 ? `${out.provinces[0].code} ${out.provinces[0].name}` : `${out.provinces.length} provinces`} from ${out.effectiveOn}, in ${seconds.toFixed(1)} s`,
    `  committees: ${out.agencies.committeesEnded} ended, ${out.agencies.committeesBegun} begun (staffing to enter); ${out.agencies.carried} other agencies carried into their new unit; ${out.agencies.waiting} waiting for a decision`,
    `  moved to a new committee: ${e.devices.moved} devices, ${e.lans.moved} LANs, ${e.wanLinks.moved} WAN links; with their carried agency: ${e.devices.withAgency} devices, ${e.lans.withAgency} LANs, ${e.wanLinks.withAgency} WAN links; waiting: ${e.devices.waiting} devices, ${e.lans.waiting} LANs, ${e.wanLinks.waiting} WAN links; ${out.positionsRenamed} staff positions renamed`,
    ...out.waitingAgencies.map((a) => `  waiting: ${a.id}  ${a.name} (${a.unit}: ${a.reason.replace('_', ' ')})`),
  ];
  return `${lines.join('\n')}\n`;
}
