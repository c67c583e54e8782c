#pragma once
// floe-sim's counters. Written by the scheduling thread and the MQTT client's threads (relaxed
// atomics: totals, not synchronisation); read by the progress display and the final report.

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace floe::sim {

// Message types the simulator publishes (NDEATH: explicit ones only; Wills are counted apart).
enum class sent_type : uint8_t { nbirth, ndeath, dbirth, ddeath, ndata, ddata };
inline constexpr size_t sent_type_count = 6;
const char* to_string(sent_type t) noexcept;

struct sim_stats {
  using counter = std::atomic<uint64_t>;

  std::array<counter, sent_type_count> published{}; // accepted by the MQTT client, per type
  counter metrics{};            // metrics in published messages (historical points included)
  counter payload_bytes{};      // encoded payload bytes of published messages
  counter dropped{};            // not sent for a full queue: --max-in-flight (DATA) or the client's
  counter publish_errors{};     // the MQTT client refused a message (e.g. connection just lost)
  counter encode_errors{};      // the codec refused a payload (a simulator bug)
  counter delivery_failures{};  // accepted, then reported failed by the client
  counter connects{};           // successful CONNECT + SUBSCRIBE
  counter reconnects{};         // successful connects after an edge node's first one
  counter connect_failures{};
  counter connection_losses{};
  counter rebirth_requests{};   // NCMD Node Control/Rebirth = true received
  counter commands{};           // other NCMD/DCMD received (ignored)
  counter bad_commands{};       // NCMD/DCMD/STATE payloads that did not decode
  counter host_offline_disconnects{}; // sessions ended because the primary host went offline
  counter wills_triggered{};    // fault: connections dropped so that the broker sent the Will
  counter seq_skips{};          // fault: seq numbers left out
  counter data_before_birth{};  // fault: DATA published before the births
  counter historical_points{};  // fault: is_historical metrics sent
  counter null_metrics{};       // fault: is_null metrics sent
  counter devices_taken_offline{}; // fault: DDEATHs published by --fault-device-offline-every
  counter unchanged_skips{};    // DDATA/NDATA not sent: report by exception found no change
  std::atomic<int64_t> devices_online{}; // devices whose DBIRTH is current
  std::atomic<int64_t> nodes_online{};   // edge nodes whose NBIRTH is current

  uint64_t messages() const noexcept;
};

// Plain copy of the counters, for rates and the final report.
struct stats_snapshot {
  std::array<uint64_t, sent_type_count> published{};
  uint64_t messages = 0;
  uint64_t metrics = 0;
  uint64_t payload_bytes = 0;
  uint64_t dropped = 0;
  uint64_t errors = 0; // publish + encode + delivery failures
  uint64_t reconnects = 0;
  int64_t devices_online = 0;
  int64_t nodes_online = 0;
};

stats_snapshot snapshot(const sim_stats& s) noexcept;

// One progress line: rates over `interval_s` between two snapshots.
std::string progress_line(const stats_snapshot& prev, const stats_snapshot& now, double interval_s,
                          double elapsed_s, size_t total_devices);

struct run_facts {
  size_t edge_nodes = 0;
  size_t devices = 0;
  std::string profile;
  double rate_per_s = 0;
  double elapsed_s = 0;
  bool ever_connected = false;
  int64_t devices_online_before_shutdown = 0;
};

// The --stats-json document (one JSON object, pretty-printed).
std::string stats_json(const sim_stats& s, const run_facts& facts);

} // namespace floe::sim
