export * from './entities';
export { AlertingModule, type AlertingModuleOptions } from './alerting.module';
export { AlertEvaluator, type EvaluationOutcome } from './evaluator';
export { Outbox, signBody, type OutboxOptions } from './outbox';
export { TrapListener, type TrapCounts } from './trap-listener';
export { AlertsService } from './alerts.service';
export { renderMessage, vnTime, vnDuration } from './messages';
