export * from './entities';
export { AlertingModule, TrapsModule, type AlertingModuleOptions } from './alerting.module';
export { TrapPolls } from './trap-polls';
export { AlertEvaluator, type EvaluationOutcome } from './evaluator';
export { Outbox, signBody, type OutboxOptions } from './outbox';
export { TrapListener, type TrapCounts } from './trap-listener';
export { AlertsService } from './alerts.service';
export { renderMessage, vnTime, vnDuration } from './messages';
export { AlertingMetrics } from './alerting-metrics';
