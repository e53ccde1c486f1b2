/**
 * The collector's metrics in Prometheus text format, read from ingest's counters, the embedded
 * broker's (or the external subscriber's) counters and the store's row counts at scrape time.
 */
import type { Logger } from "../../common/logger.js";
import type { EmbeddedBroker } from "../embeddedBroker.js";
import type { ExternalSubscriber } from "../external/externalSubscriber.js";
import type { Ingest } from "../ingest.js";
import type { Store } from "../store/store.js";
import { MetricsWriter } from "./prometheus.js";

export interface MetricSources {
  ingest: Ingest;
  store: Store;
  broker?: EmbeddedBroker;
  external?: ExternalSubscriber;
  log: Logger;
}

export function renderCollectorMetrics({ ingest, store, broker, external, log }: MetricSources): string {
  const m = ingest.metrics;
  const w = new MetricsWriter()
    .counter("leaseline_messages_received_total", "Messages received from gateways.", m.received)
    .counter("leaseline_messages_stored_total", "Messages committed to the database.", m.stored)
    .counter(
      "leaseline_messages_duplicate_total",
      "Messages with a sequence number already applied (changed nothing).",
      m.duplicates,
    )
    .counter(
      "leaseline_messages_retired_boot_total",
      "Messages from a boot that has since been replaced (changed nothing).",
      m.retiredBoot,
    )
    .counter(
      "leaseline_messages_rejected_total",
      "Invalid messages, by reason; never stored.",
      Object.entries(m.rejected).map(([reason, n]) => [{ reason }, n]),
    )
    .counter(
      "leaseline_records_left_out_total",
      "Invalid records left out of snapshots stored without them (a few per snapshot at most).",
      m.recordsLeftOut,
    )
    .histogram(
      "leaseline_ingest_latency_seconds",
      "Time from a message's arrival to the commit of its transaction.",
      m.latency,
    )
    .counter("leaseline_ingest_batches_total", "Write transactions committed.", m.batches)
    .counter(
      "leaseline_ingest_commit_failures_total",
      "Write transactions that failed; their messages were not acknowledged.",
      m.commitFailures,
    )
    .gauge("leaseline_ingest_queue_length", "Messages waiting for the next commit.", ingest.queued)
    .counter(
      "leaseline_ingest_validation_seconds_total",
      "Time spent parsing and validating payloads.",
      m.validationSeconds,
    )
    .counter("leaseline_ingest_store_seconds_total", "Time spent in write transactions.", m.storeSeconds)
    .counter(
      "leaseline_leases_deleted_total",
      "Leases deleted by the lifetime rules, by reason.",
      Object.entries(m.deleted).map(([reason, n]) => [{ reason }, n]),
    )
    .counter(
      "leaseline_gateways_aged_out_total",
      "Gateways deleted after being silent longer than the router-data maximum age.",
      m.gatewaysAgedOut,
    );
  try {
    const stats = store.stats();
    w.gauge("leaseline_gateways", "Gateways in the database.", stats.gateways)
      .gauge(
        "leaseline_gateways_online",
        "Gateways whose last state message said online.",
        stats.gatewaysOnline,
      )
      .gauge("leaseline_leases", "Leases in the database.", stats.leases);
  } catch (error) {
    log.warn({ err: error }, "cannot read row counts for /metrics");
  }
  if (broker) {
    w.gauge(
      "leaseline_broker_connected_clients",
      "Clients (gateways) connected to the embedded broker and authenticated.",
      broker.connectedClients(),
    ).counter(
      "leaseline_broker_refused_total",
      "Connections, packets and clients the embedded broker refused, by reason.",
      Object.entries(broker.refused).map(([reason, n]) => [{ reason }, n]),
    );
  }
  if (external) {
    w.gauge(
      "leaseline_external_broker_connected",
      "1 while subscribed to the external broker.",
      external.connected() ? 1 : 0,
    )
      .counter(
        "leaseline_external_broker_connects_total",
        "Connections made to the external broker.",
        external.counters.connects,
      )
      .counter(
        "leaseline_external_broker_nacks_total",
        "Messages left unacknowledged because storing them failed (the connection was dropped for redelivery).",
        external.counters.nacks,
      );
  }
  return w.toString();
}
