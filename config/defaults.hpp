#pragma once
// Every default value in floe, in one place. Each constant names its unit. Command-line help
// texts print these values, so changing one here changes the documented default too.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace floe::defaults {

namespace codec {
// Largest Sparkplug payload the decoder accepts (bytes). Births of large edge nodes reach a few
// MiB; Mosquitto's own default limit is 256 MiB.
inline constexpr size_t max_payload_bytes = 16 * 1024 * 1024;
// Most metrics in one payload, counting template members (count).
inline constexpr size_t max_metrics = 100'000;
// Longest string/bytes value, name or key (bytes).
inline constexpr size_t max_string_bytes = 4 * 1024 * 1024;
// Most elements of one array, DataSet (cells) or property set (count).
inline constexpr size_t max_elements = 1'000'000;
// Deepest nesting of templates / property sets (levels).
inline constexpr size_t max_depth = 16;
// Encode UInt32 into Metric.long_value (Tahu/Ignition) rather than int_value (flag).
inline constexpr bool uint32_in_long_value = true;
// Longest STATE JSON accepted; a real one is about 45 bytes (bytes).
inline constexpr size_t max_state_bytes = 4 * 1024;
} // namespace codec

namespace mqtt {
inline constexpr std::string_view broker_uri = "tcp://127.0.0.1:1883";
// MQTT keep-alive (s).
inline constexpr int keep_alive_s = 30;
// First and largest delay between reconnect attempts (ms).
inline constexpr int reconnect_min_ms = 250;
inline constexpr int reconnect_max_ms = 8'000;
// How long one CONNECT (or the initial SUBSCRIBE + STATE birth) may take (ms).
inline constexpr int connect_timeout_ms = 5'000;
// QoS of the host's subscriptions (0 or 1). 1 keeps NDEATH Wills (QoS 1) reliable.
inline constexpr int subscribe_qos = 1;
// Sparkplug host id used in spBv1.0/STATE/<host id>.
inline constexpr std::string_view host_id = "floe";
} // namespace mqtt

namespace sim {
// ---- floe-sim (sim/) ----
inline constexpr std::string_view broker_uri = "tcp://127.0.0.1:1883";
// Sparkplug group id of every simulated edge node.
inline constexpr std::string_view group_id = "floe-sim";
// Edge node ids are <prefix><number>, numbers zero-padded (edge-01, edge-02, ...).
inline constexpr std::string_view edge_prefix = "edge-";
// Simulated edge nodes (count) and devices per edge node (count).
inline constexpr size_t edge_nodes = 2;
inline constexpr size_t devices_per_node = 10;
// DDATA messages per device per second (messages/s; fractional allowed, 0 = births only).
inline constexpr double rate_per_s = 1.0;
// Run time (s); 0 runs until SIGINT/SIGTERM.
inline constexpr double duration_s = 0.0;
// Profile name (file config/profiles/<name>.json) or path.
inline constexpr std::string_view profile = "ice_plant";
// Seed of all random signal state (number); equal seeds give equal initial states.
inline constexpr uint64_t seed = 1;
// Largest accepted values of the count options (count); guards against typos like 1e9.
inline constexpr size_t max_edge_nodes = 100'000;
inline constexpr size_t max_devices_per_node = 100'000;
inline constexpr size_t max_metrics = 100'000;
inline constexpr double max_rate_per_s = 1'000.0;
// MQTT keep-alive of each edge node's connection (s).
inline constexpr int keep_alive_s = 30;
// How long one CONNECT plus the NCMD/DCMD/STATE subscriptions may take (s).
inline constexpr int connect_timeout_s = 10;
// First and largest delay between reconnect attempts of one edge node (ms); doubled per failure.
inline constexpr int reconnect_min_ms = 250;
inline constexpr int reconnect_max_ms = 8'000;
// DATA messages handed to the MQTT client and not yet written to the socket, per edge node
// (messages). A DATA message beyond it is dropped and counted; births and deaths never are.
inline constexpr size_t max_in_flight_per_node = 2'000;
// The scheduling thread wakes at most once per tick and publishes every device due by then (ms).
inline constexpr int scheduler_tick_ms = 2;
// Graceful shutdown: how long the NDEATH acknowledgements and DISCONNECTs may take (ms).
inline constexpr int shutdown_timeout_ms = 5'000;
// --fault-historical-every: age of the store-and-forward points (ms).
inline constexpr uint64_t historical_age_ms = 60'000;
// --fault-device-offline-every: how long a device stays offline between DDEATH and DBIRTH (s).
inline constexpr double device_offline_s = 5.0;
// Progress display: refresh on a terminal (ms) and line interval otherwise (ms).
inline constexpr int progress_terminal_ms = 1'000;
inline constexpr int progress_plain_ms = 5'000;
} // namespace sim

namespace store {
// ---- storage (store/) ----
// A commit is refused (no_space, kept by the store writer for retry) while the data
// directory's file system has less than this free plus twice the batch (bytes; 0 = no check).
// RocksDB 7.8 cannot take a WAL write cut short by a full disk back cleanly (decisions D22), so
// floe stops writing before the disk is full.
inline constexpr uint64_t min_free_bytes = 8 * 1024 * 1024;
// Directory of the member's RocksDB database (path; created if missing).
inline constexpr std::string_view data_dir = "floe-data";
// What a commit waits for: "sync" = WAL + fsync per batch, "wal" = WAL without fsync (survives
// a process crash, not a power loss), "none" = no WAL (a crash loses unflushed batches).
inline constexpr std::string_view durability = "sync";
// Memtable size per column family before it is flushed to an SST file (bytes). RocksDB: 64 MiB.
inline constexpr uint64_t write_buffer_bytes = 64 * 1024 * 1024;
// Memory all memtables of the database may hold together (bytes; 0 = no bound beyond
// write_buffer_bytes per family). Past 7/8 of it RocksDB flushes the largest mutable memtable.
// RocksDB: 0 (no WriteBufferManager). Bounds the memtables' share of RSS whatever the number of
// families written to (five, each could otherwise hold two write buffers).
inline constexpr uint64_t memtable_budget_bytes = 64 * 1024 * 1024;
// Series whose points get insert hints in the points memtable: those with an id below this
// (series; ids are dense, in registration order; 0 = no hints). RocksDB: no hints. A series'
// points arrive in time order, so each lands right after the series' previous one: the hint
// (the skip list position of that last insert) spares the search. Measured (docs/decisions.md
// D24): 2.5x the store's write rate at 10,000 series that report often, 0.33x at 1,000,000
// series with three points each; a hint costs about 250 bytes per series and memtable
// (2.5 KB per device at 100,000 devices when every series had one). The bound keeps that below
// about 16 MiB per memtable whatever the fleet.
inline constexpr uint32_t hinted_series = 65'536;
// LRU block cache shared by all column families (bytes). RocksDB: 8 MiB.
inline constexpr uint64_t block_cache_bytes = 128 * 1024 * 1024;
// Uncompressed size of an SST data block (bytes). RocksDB: 4 KiB; neighbouring samples of one
// series compress better in larger blocks, and floe reads ranges more than single keys.
inline constexpr uint64_t block_bytes = 16 * 1024;
// Total WAL size that makes RocksDB flush the column families keeping the oldest WAL alive
// (bytes). RocksDB: 4 x the sum of all write buffers (here 1.25 GiB).
inline constexpr uint64_t max_total_wal_bytes = 256 * 1024 * 1024;
// Background flush and compaction threads (threads). RocksDB: 2.
inline constexpr int max_background_jobs = 2;
// Bloom filter of the families read by key: registry, alarms, meta (bits per key; 0 = none).
// points/windows are read by range scans, which a whole-key filter does not help.
inline constexpr double bloom_bits_per_key = 10;
// RocksDB info LOG files kept in the data directory (files). RocksDB: 1000.
inline constexpr size_t keep_log_files = 5;
// Longest series name ("group/edge node/device/metric") the series dictionary accepts (bytes).
inline constexpr size_t max_series_name_bytes = 4096;
} // namespace store

namespace windows {
// ---- window aggregation (actors/windows) ----
// Tumbling window widths computed for every series (ms): 10 s, 1 min, 1 h, epoch-aligned.
inline constexpr int64_t widths_ms[] = {10'000, 60'000, 3'600'000};
// How far a point's event time may lag the newest event time of its series and still count as
// on time (ms). A window closes when (newest event time - lateness) passes its end; older points
// re-open the closed window and it is recomputed from raw points.
inline constexpr int64_t allowed_lateness_ms = 5'000;
// On a rebuild after restart, closed windows ending this close before the watermark are emitted
// again, in case their first emission was lost with the process (event-time ms).
inline constexpr int64_t rebuild_reemit_ms = 60'000;
// Period of the aggregator's own processing-time tick that closes windows of idle series
// (ms; 0 = no own tick, the node sends tick_atom itself).
inline constexpr int64_t tick_interval_ms = 1'000;
// Window aggregator actors per node; series are sharded over them by id (count).
inline constexpr size_t aggregator_count = 2;
} // namespace windows

namespace host {
// ---- Sparkplug host behaviour (actors/, node/) ----
// How long a seq gap may stay open while later messages wait in the reorder buffer before the
// host gives up on the missing message(s) and requests a rebirth (ms). Tahu and the TCK console
// use 5000.
inline constexpr int64_t reorder_timeout_ms = 5'000;
// Most out-of-order messages held per edge node while a gap is open (messages). A full buffer
// gives the gap up at once, as a timeout would. 0 disables reordering: any gap is given up on
// arrival. Values above 127 act as 127 (half the seq space; see edge_node_session.hpp).
inline constexpr size_t reorder_buffer_max_messages = 64;
// Shortest interval between two Rebirth requests to the same edge node (ms). Tahu: 5000.
inline constexpr int64_t rebirth_throttle_ms = 5'000;
// Memory the messages between MQTT and the store may hold before the MQTT callback waits,
// which stops reading from the broker (bytes; 0 = no bound). Estimated per message
// (common/pipeline_backlog.hpp). 64 MiB is about 25,000 DATA messages of 10 metrics, half a
// second at the rates floe-ingest-bench reaches on 2 cores.
inline constexpr uint64_t ingest_backlog_bytes = 64 * 1024 * 1024;
} // namespace host

namespace alarms {
// ---- alarm rules (actors/alarms, config/alarms/) ----
// How often a device actor calls series_alarms::on_tick when it does not schedule by
// next_deadline(): the resolution of no_data timeouts and raise/clear delays (ms).
inline constexpr int64_t tick_interval_ms = 1'000;
// A rule's raise delay (condition must hold this long before raising) when it sets none (ms).
inline constexpr int64_t raise_delay_ms = 0;
// A rule's clear delay (clear condition must hold this long before clearing) when it sets none (ms).
inline constexpr int64_t clear_delay_ms = 0;
// Hysteresis of high/low/rate_of_change rules when a rule sets none (unit of the metric, or
// metric unit per second for rate_of_change).
inline constexpr double deadband = 0.0;
// Span over which a rate_of_change rule measures the change when it sets none (ms).
inline constexpr int64_t rate_span_ms = 10'000;
// Most samples one rate_of_change alarm keeps for its span; the oldest go first (samples).
inline constexpr size_t rate_max_samples = 256;
// Longest delay, no_data timeout or rate span a rule may set: 7 days (ms).
inline constexpr int64_t max_duration_ms = 7LL * 24 * 3600 * 1000;
// Largest rule file accepted (bytes).
inline constexpr size_t max_rule_file_bytes = 4 * 1024 * 1024;
// Most rules in one rule set (count).
inline constexpr size_t max_rules = 10'000;
// Message template of a rule that sets none (placeholders: see actors/alarms/rule_set.hpp).
inline constexpr std::string_view message = "{rule}: {series} {value}";
} // namespace alarms

namespace cluster {
// ---- cluster membership and sharding (actors/cluster/, docs/cluster.md) ----
// CAF middleman port on which the member publishes its cluster actor (port; 0 = no cluster:
// the process is a single member that owns every edge node).
inline constexpr uint16_t port = 0;
// Bind address of the cluster port (address). Loopback unless configured (DESIGN.md).
inline constexpr std::string_view bind = "127.0.0.1";
// Size of the configured cluster for the majority rule (members; 0 = the distinct members of
// --seeds plus this member). Members seen beyond it enlarge it, never shrink it.
inline constexpr size_t size = 0;
// Period of the heartbeats every member sends every other member (ms). Also the middleman's
// heartbeat-interval, so links stay alive under CAF's connection-timeout.
inline constexpr int64_t heartbeat_interval_ms = 500;
// A member with no heartbeat for this long is down (ms). Also the middleman's
// connection-timeout (a hung peer's link closes then). Must be at least 2 x heartbeat_interval_ms;
// detection time and the longest two-owner overlap are this plus scheduling delay.
inline constexpr int64_t heartbeat_timeout_ms = 3'000;
// How long one connect_atom to a seed or member may take before it counts as failed (ms).
inline constexpr int64_t connect_timeout_ms = 2'000;
// Delay between connect attempts to a seed or member that is not connected (ms).
inline constexpr int64_t reconnect_interval_ms = 1'000;
} // namespace cluster

namespace node {
// ---- floe-node (node/) ----
// Config file read when --config is not given and the file exists (path, relative to the
// config directory: the source tree's config/ or <executable>/../config).
inline constexpr std::string_view config_file = "floe.ini";
// Where the admin shell connects: CAF middleman port (0 = no admin port) and bind address.
inline constexpr uint16_t admin_port = 4710;
inline constexpr std::string_view admin_bind = "127.0.0.1";
// Most points in one write batch; a full batch is committed at once (points).
inline constexpr size_t store_batch_max_points = 20'000;
// Retention: points and closed windows older than this are deleted (h; 0 = keep forever).
inline constexpr int64_t points_retention_h = 24 * 7;
inline constexpr int64_t windows_retention_h = 24 * 365;
// How often retention runs (s).
inline constexpr int64_t retention_interval_s = 600;
// Period of the statistics line on stderr (s; 0 = none).
inline constexpr int64_t stats_interval_s = 10;
// CAF scheduler worker threads (threads; 0 = one per hardware thread). CAF's own default is
// max(cores, 4), which on a 2-core host runs 4 workers beside paho, RocksDB and the middleman.
inline constexpr size_t worker_threads = 0;
// Replies of the query actor to the admin shell must come within this (ms).
inline constexpr int64_t query_timeout_ms = 5'000;
// Most points or windows one history query returns (count).
inline constexpr size_t max_query_points = 100'000;
// Alarm events kept in memory for the history query (events; older ones are only on disk).
inline constexpr size_t alarm_history_events = 10'000;
} // namespace node

namespace admin {
// ---- floe-admin (admin/) ----
// The floe-node to talk to: its admin port (host, CAF middleman port).
inline constexpr std::string_view node_host = "127.0.0.1";
inline constexpr uint16_t node_port = node::admin_port;
// Connecting and every query must be answered within this (ms); otherwise exit code 2.
inline constexpr int64_t request_timeout_ms = 5'000;
// The health queries behind the interactive prompt and tab completion wait at most this (ms), so
// a slow node does not stall typing.
inline constexpr int64_t prompt_timeout_ms = 1'000;
// CAF middleman heartbeat on the connection to the node (ms). A cluster member closes links that
// are silent for its --cluster-timeout (default 3 s), an idle shell's too, unless it heartbeats.
inline constexpr int64_t middleman_heartbeat_ms = 500;
// Interactive history: file in $HOME (name) and lines kept (lines).
inline constexpr std::string_view history_file = ".floe_admin_history";
inline constexpr int history_lines = 1'000;
// `history` without --from: this far back from now (ms).
inline constexpr int64_t history_span_ms = 10 * 60'000;
// `history` without --limit: at most this many points or windows (count; 0 = the node's maximum,
// defaults::node::max_query_points).
inline constexpr uint64_t history_limit = 0;
// Width of the sparkline under a history table (characters).
inline constexpr size_t sparkline_width = 60;
// `alarms` without --limit: newest this many (count).
inline constexpr uint64_t alarms_limit = 100;
// `tail`: poll period of the device state (ms) and run time without --seconds (s; 0 = until Ctrl-C).
inline constexpr int64_t tail_interval_ms = 1'000;
inline constexpr int64_t tail_seconds = 0;
// Longest rendered value in tables and sniffer lines before it is cut with "…" (characters).
inline constexpr size_t max_value_chars = 48;
// ---- floe-admin sniff ----
inline constexpr std::string_view sniff_broker_uri = mqtt::broker_uri;
// Subscription of the sniffer (MQTT topic filter).
inline constexpr std::string_view sniff_filter = "spBv1.0/#";
// Metrics shown as name=value in one sniffer line (count).
inline constexpr size_t sniff_metrics_shown = 3;
// How long the sniffer's CONNECT and SUBSCRIBE may take (ms).
inline constexpr int sniff_connect_timeout_ms = 5'000;
} // namespace admin

} // namespace floe::defaults
