#include "sim/stats.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace floe::sim {

namespace {
uint64_t get(const sim_stats::counter& c) noexcept {
  return c.load(std::memory_order_relaxed);
}
} // namespace

const char* to_string(sent_type t) noexcept {
  switch (t) {
    case sent_type::nbirth: return "NBIRTH";
    case sent_type::ndeath: return "NDEATH";
    case sent_type::dbirth: return "DBIRTH";
    case sent_type::ddeath: return "DDEATH";
    case sent_type::ndata: return "NDATA";
    case sent_type::ddata: return "DDATA";
  }
  return "?";
}

uint64_t sim_stats::messages() const noexcept {
  uint64_t total = 0;
  for (const auto& c : published)
    total += get(c);
  return total;
}

stats_snapshot snapshot(const sim_stats& s) noexcept {
  stats_snapshot out;
  for (size_t i = 0; i < sent_type_count; ++i) {
    out.published[i] = get(s.published[i]);
    out.messages += out.published[i];
  }
  out.metrics = get(s.metrics);
  out.payload_bytes = get(s.payload_bytes);
  out.dropped = get(s.dropped);
  out.errors = get(s.publish_errors) + get(s.encode_errors) + get(s.delivery_failures);
  out.reconnects = get(s.reconnects);
  out.devices_online = s.devices_online.load(std::memory_order_relaxed);
  out.nodes_online = s.nodes_online.load(std::memory_order_relaxed);
  return out;
}

std::string progress_line(const stats_snapshot& prev, const stats_snapshot& now, double interval_s,
                          double elapsed_s, size_t total_devices) {
  double dt = interval_s > 0 ? interval_s : 1.0;
  double msg_rate = static_cast<double>(now.messages - prev.messages) / dt;
  double metric_rate = static_cast<double>(now.metrics - prev.metrics) / dt;
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "floe-sim %6.0fs | %9.0f msg/s | %10.0f metrics/s | devices online %lld/%zu | "
                "drops %llu | errors %llu | reconnects %llu",
                elapsed_s, msg_rate, metric_rate, static_cast<long long>(now.devices_online),
                total_devices, static_cast<unsigned long long>(now.dropped),
                static_cast<unsigned long long>(now.errors),
                static_cast<unsigned long long>(now.reconnects));
  return buf;
}

std::string stats_json(const sim_stats& s, const run_facts& facts) {
  nlohmann::json published = nlohmann::json::object();
  for (size_t i = 0; i < sent_type_count; ++i)
    published[to_string(static_cast<sent_type>(i))] = get(s.published[i]);
  nlohmann::json doc = {
    {"edge_nodes", facts.edge_nodes},
    {"devices", facts.devices},
    {"profile", facts.profile},
    {"rate_per_s", facts.rate_per_s},
    {"elapsed_s", facts.elapsed_s},
    {"ever_connected", facts.ever_connected},
    {"published", published},
    {"messages", s.messages()},
    {"metrics", get(s.metrics)},
    {"payload_bytes", get(s.payload_bytes)},
    {"dropped", get(s.dropped)},
    {"publish_errors", get(s.publish_errors)},
    {"encode_errors", get(s.encode_errors)},
    {"delivery_failures", get(s.delivery_failures)},
    {"connects", get(s.connects)},
    {"reconnects", get(s.reconnects)},
    {"connect_failures", get(s.connect_failures)},
    {"connection_losses", get(s.connection_losses)},
    {"rebirth_requests", get(s.rebirth_requests)},
    {"commands", get(s.commands)},
    {"bad_commands", get(s.bad_commands)},
    {"host_offline_disconnects", get(s.host_offline_disconnects)},
    {"wills_triggered", get(s.wills_triggered)},
    {"seq_skips", get(s.seq_skips)},
    {"data_before_birth", get(s.data_before_birth)},
    {"historical_points", get(s.historical_points)},
    {"null_metrics", get(s.null_metrics)},
    {"devices_taken_offline", get(s.devices_taken_offline)},
    {"unchanged_skips", get(s.unchanged_skips)},
    {"devices_online_before_shutdown", facts.devices_online_before_shutdown},
  };
  return doc.dump(2) + "\n";
}

} // namespace floe::sim
