#pragma once
// floe-node's configuration (Boost.Program_options). Precedence, highest first: command line,
// environment (FLOE_<OPTION>, e.g. FLOE_DATA_DIR=/var/lib/floe for --data-dir), the config file
// (--config, else <config dir>/floe.ini when it exists; ini syntax "data-dir = /var/lib/floe"),
// then config/defaults.hpp. Every value is checked here, so a bad one stops the node before it
// opens the store or connects; the error names the option and where the value came from.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "config/defaults.hpp"

namespace floe::node {

struct node_options {
  // --- MQTT / Sparkplug host ---
  std::string broker_uri{defaults::mqtt::broker_uri};   // --broker (tcp://, ssl://, mqtt://, mqtts://)
  std::string host_id{defaults::mqtt::host_id};         // --host-id (STATE topic level)
  std::string client_id;                                // --client-id ("" = floe-<host id>)
  std::string mqtt_username;                            // --mqtt-username
  std::string mqtt_password;                            // --mqtt-password
  // TLS files (PEM paths; "" = none). Checked to exist; a relative path set in the config file
  // is returned resolved against the file's directory.
  std::string mqtt_tls_ca;                              // --mqtt-tls-ca (PEM path)
  std::string mqtt_tls_cert;                            // --mqtt-tls-cert
  std::string mqtt_tls_key;                             // --mqtt-tls-key
  int keep_alive_s = defaults::mqtt::keep_alive_s;      // --mqtt-keep-alive (s)
  int reconnect_min_ms = defaults::mqtt::reconnect_min_ms; // --reconnect-min (ms)
  int reconnect_max_ms = defaults::mqtt::reconnect_max_ms; // --reconnect-max (ms)
  int subscribe_qos = defaults::mqtt::subscribe_qos;    // --subscribe-qos (0|1)
  // Sparkplug groups to host (--groups G1,G2); empty: every group ("spBv1.0/#").
  std::vector<std::string> groups;

  // --- host rules ---
  int64_t reorder_timeout_ms = defaults::host::reorder_timeout_ms;  // --reorder-timeout (ms)
  size_t reorder_buffer = defaults::host::reorder_buffer_max_messages; // --reorder-buffer (messages)
  int64_t rebirth_throttle_ms = defaults::host::rebirth_throttle_ms; // --rebirth-throttle (ms)
  uint64_t ingest_backlog_bytes = defaults::host::ingest_backlog_bytes; // --ingest-backlog (bytes)

  // --- storage ---
  std::string data_dir{defaults::store::data_dir};          // --data-dir (path)
  std::string durability{defaults::store::durability};      // --store-durability sync|wal|none
  uint64_t write_buffer_bytes = defaults::store::write_buffer_bytes; // --store-write-buffer (bytes)
  uint32_t hinted_series = defaults::store::hinted_series; // --store-hinted-series (series)
  uint64_t memtable_budget_bytes = defaults::store::memtable_budget_bytes; // --store-memtable-budget (bytes)
  uint64_t block_cache_bytes = defaults::store::block_cache_bytes;   // --store-block-cache (bytes)
  size_t batch_max_points = defaults::node::store_batch_max_points;  // --store-batch-max (points)
  int64_t points_retention_h = defaults::node::points_retention_h;   // --retention-points (h, 0 = forever)
  int64_t windows_retention_h = defaults::node::windows_retention_h; // --retention-windows (h, 0 = forever)
  int64_t retention_interval_s = defaults::node::retention_interval_s; // --retention-interval (s)

  // --- windows ---
  // --windows "10s,1m,1h": tumbling window widths (ms after parsing; units ms, s, m, h, d).
  // At least one, each in 1 ms..366 d, distinct, sorted ascending.
  std::vector<int64_t> window_widths_ms{std::begin(defaults::windows::widths_ms),
                                        std::end(defaults::windows::widths_ms)};
  int64_t allowed_lateness_ms = defaults::windows::allowed_lateness_ms; // --allowed-lateness (ms)
  size_t aggregators = defaults::windows::aggregator_count;             // --aggregators (count)

  // --- alarms ---
  // --alarm-rules (JSON rule file; "" = no rules). Checked to exist, not parsed; a relative path
  // set in the config file is returned resolved against the file's directory.
  std::string alarm_rules;

  // --- cluster (docs/cluster.md) ---
  uint16_t cluster_port = defaults::cluster::port;          // --cluster-port (0 = no cluster)
  std::string cluster_bind{defaults::cluster::bind};        // --cluster-bind (address)
  // --cluster-advertise host:port: this member's id, as the other members' --seeds spell it
  // (default <cluster-bind>:<cluster-port>; required when binding a wildcard address).
  std::string cluster_advertise;
  std::vector<std::string> seeds;                           // --seeds host:port,...
  size_t cluster_size = defaults::cluster::size;            // --cluster-size (members, 0 = seeds + self)
  int64_t cluster_heartbeat_ms = defaults::cluster::heartbeat_interval_ms; // --cluster-heartbeat (ms)
  int64_t cluster_timeout_ms = defaults::cluster::heartbeat_timeout_ms;    // --cluster-timeout (ms)
  int64_t cluster_connect_timeout_ms = defaults::cluster::connect_timeout_ms; // --cluster-connect-timeout (ms)
  int64_t cluster_reconnect_ms = defaults::cluster::reconnect_interval_ms;    // --cluster-reconnect (ms)
  // Cluster links over TLS (caf_openssl, mutual: every member presents a certificate the CA
  // signed): PEM paths, all three or none. Checked to exist; relative in a config file =
  // relative to its directory.
  std::string cluster_tls_cert; // --cluster-tls-cert
  std::string cluster_tls_key;  // --cluster-tls-key
  std::string cluster_tls_ca;   // --cluster-tls-ca

  // --- admin / operations ---
  uint16_t admin_port = defaults::node::admin_port;        // --admin-port (0 = off)
  std::string admin_bind{defaults::node::admin_bind};      // --admin-bind (address)
  int64_t stats_interval_s = defaults::node::stats_interval_s; // --stats-interval (s, 0 = off)
  size_t worker_threads = defaults::node::worker_threads;      // --worker-threads (threads, 0 = cores)
  std::string config_file; // the file actually read (absolute; "" = none), for the start-up log
};

struct command_line {
  enum class action : uint8_t { run, help, fail };
  action what = action::fail;
  node_options options;
  std::string text; // help text or error message
};

// Parses argv, the FLOE_* environment and the config file. `env` is the environment as
// "NAME=value" strings (tests pass their own; main passes environ).
command_line parse_command_line(int argc, const char* const argv[],
                                const std::vector<std::string>& env);

// The config directory: the source tree's config/ (compile definition) if it exists, else
// <directory of the executable>/../config.
std::string default_config_dir();

} // namespace floe::node
