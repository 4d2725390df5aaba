/**
 * The relay's only view of Kafka. kafkajs has had no release since 2023; keeping it behind this
 * interface lets a kafkajs-compatible client replace it without touching the relay.
 */
import type { IntegrationMessage } from './integration-events/mapper.js';

export interface Publisher {
  /**
   * Sends the messages and resolves only when the broker has acknowledged every one of them
   * with acks=all. Rejects if any was not acknowledged; the caller then sends the whole batch
   * again (at-least-once), so a rejected call may still have written some messages.
   */
  publish(messages: readonly IntegrationMessage[]): Promise<void>;
  close(): Promise<void>;
}
