/**
 * Orchestration history events in the out-of-process JSON shape the Durable extension sends to the worker
 * (field names as in durable-functions' `lib/src/history/*`). Used by the local host and by replay tests.
 */
export enum HistoryEventType {
  ExecutionStarted = 0,
  TaskScheduled = 4,
  TaskCompleted = 5,
  TaskFailed = 6,
  SubOrchestrationInstanceCreated = 7,
  SubOrchestrationInstanceCompleted = 8,
  SubOrchestrationInstanceFailed = 9,
  TimerCreated = 10,
  TimerFired = 11,
  OrchestratorStarted = 12,
  OrchestratorCompleted = 13,
  EventRaised = 15,
}

export interface HistoryEvent {
  EventType: HistoryEventType;
  EventId: number;
  IsPlayed: boolean;
  IsProcessed: boolean;
  Timestamp: string;
  [field: string]: unknown;
}

export function historyEvent(
  type: HistoryEventType,
  fields: { Timestamp: string; EventId?: number; [field: string]: unknown },
): HistoryEvent {
  return { EventType: type, EventId: -1, IsPlayed: false, IsProcessed: false, ...fields };
}
