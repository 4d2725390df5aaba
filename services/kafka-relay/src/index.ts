/** @timebank/kafka-relay: publishes the ledger's public integration events to Kafka. */
export { createFileCheckpointStore, type CheckpointStore } from './checkpoint-store.js';
export { parseConfig, type KafkaRelayConfig } from './config.js';
export { createKafkaPublisher, type KafkaPublisherOptions } from './kafka-publisher.js';
export type { Publisher } from './publisher.js';
export {
  createKafkaRelay,
  DEFAULT_RELAY_LIMITS,
  RelayError,
  type KafkaRelay,
  type KafkaRelayOptions,
  type RelayLimits,
} from './relay.js';
export type { RelayMetrics, RelayState } from './relay-metrics.js';
export * from './integration-events/catalogue.js';
export { HEADERS, mapEvent, type IntegrationMessage, type MapResult } from './integration-events/mapper.js';
export { createServiceRecordFinder } from './service-record-finder.js';
export { renderEventsDoc } from './integration-events/events-doc.js';
