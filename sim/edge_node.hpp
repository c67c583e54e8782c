#pragma once
// One simulated Sparkplug B 3.0 edge node: its MQTT session (through an edge_transport), seq
// and bdSeq bookkeeping (edge_session), births, DATA with report by exception, commands, the
// primary host's STATE, and the fault injections. Driven by the scheduling thread only: every
// member function runs there, `now_ms` is the UTC time in ms used for every timestamp.
//
// Message contents:
//  - Will and NDEATH: one metric bdSeq (Int64), no seq; Will QoS 1, retain false.
//  - NBIRTH (seq 0): bdSeq (Int64, no alias), Node Control/Rebirth (Boolean false, no alias),
//    the profile's node metrics; all with name, alias, datatype, timestamp, value, properties.
//  - DBIRTH: every metric of the device with name, alias, datatype, timestamp, value and
//    properties (engUnit, engLow, engHigh where the profile gives them).
//  - NDATA/DDATA: aliases only (no name, no datatype), a timestamp on every metric; only the
//    metrics whose published value changed when the profile reports by exception.
//  - NCMD Node Control/Rebirth = true: a fresh NBIRTH + every DBIRTH (same bdSeq, seq from 0).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/defaults.hpp"
#include "sim/edge_session.hpp"
#include "sim/fleet.hpp"
#include "sim/profile.hpp"
#include "sim/record.hpp"
#include "sim/sampler.hpp"
#include "sim/stats.hpp"
#include "sim/transport.hpp"
#include "sparkplug/types.hpp"

namespace floe::sim {

struct fault_options {
  size_t skip_seq_every = 0;      // leave out one seq number after every N DATA messages
  bool data_before_birth = false; // the first edge node sends one DATA before its first births
  size_t historical_every = 0;    // every N-th DDATA also carries is_historical points
  size_t null_every = 0;          // every N-th DDATA carries one metric as is_null
  uint64_t historical_age_ms = defaults::sim::historical_age_ms;
};

struct edge_node_config {
  std::string group_id;
  std::string primary_host; // empty: publish births as soon as connected
  bool report_by_exception = true;
  size_t max_in_flight = defaults::sim::max_in_flight_per_node;
  int reconnect_min_ms = defaults::sim::reconnect_min_ms;
  int reconnect_max_ms = defaults::sim::reconnect_max_ms;
  std::chrono::milliseconds shutdown_grace{defaults::sim::shutdown_timeout_ms};
  uint64_t seed = defaults::sim::seed;
  fault_options faults;
};

// Shared by every edge node; owned by main, used from the scheduling thread.
struct edge_node_services {
  sim_stats* stats = nullptr;
  recorder* record = nullptr;  // null: not recording
  uint64_t* next_tag = nullptr; // message ids for the record
};

class edge_node {
public:
  edge_node(const edge_node_config& cfg, const profile& prof, const edge_node_layout& layout,
            uint32_t index, std::unique_ptr<edge_transport> transport,
            edge_node_services services, uint64_t now_ms);
  ~edge_node();
  edge_node(const edge_node&) = delete;
  edge_node& operator=(const edge_node&) = delete;

  const std::string& id() const noexcept { return layout_.id; }
  uint32_t index() const noexcept { return index_; }
  size_t device_count() const noexcept { return devices_.size(); }
  const edge_session& session() const noexcept { return session_; }
  bool ever_connected() const noexcept { return ever_connected_; }
  size_t devices_online() const noexcept { return born_devices_; }
  bool device_online(size_t device) const { return devices_.at(device).born; }

  // Begins a CONNECT with the next bdSeq in the Will.
  void connect(uint64_t now_ms);
  // An event of this node's transport.
  void on_event(const sim_event& e, uint64_t now_ms);

  // A device's DATA timer fired: publishes a DDATA when the node and device are online.
  void publish_device_data(size_t device, uint64_t now_ms);
  // The node's NDATA timer fired.
  void publish_node_data(uint64_t now_ms);

  // Fault injection: DDEATH for an online device (false when it is not online), and its DBIRTH
  // again later. The device stays out of rebirths while it is offline.
  bool take_device_offline(size_t device, uint64_t now_ms);
  void bring_device_online(size_t device, uint64_t now_ms);
  // Fault injection: cut the TCP connection without DISCONNECT (the broker sends the Will).
  bool drop_connection(uint64_t now_ms);

  // Graceful end: NDEATH (QoS 1) when connected, then DISCONNECT. Events after it are ignored.
  void begin_shutdown(uint64_t now_ms);
  bool wait_shutdown(std::chrono::steady_clock::time_point deadline);

  // Set by connection failures and losses: the scheduler calls connect() after this delay.
  std::optional<int> take_reconnect_delay() noexcept;

private:
  struct device_state {
    metric_sampler sampler;
    std::vector<double> last_sent; // published value per metric; NaN: none (always "changed")
    uint64_t last_sample_ms;
    topic_ref birth_topic, data_topic, death_topic;
    bool born = false;          // DBIRTH current in this session
    bool held_offline = false;  // fault: DDEATH sent, DBIRTH pending
  };

  void on_connected(uint64_t now_ms);
  void on_connection_down(bool was_failure, uint64_t now_ms);
  void handle_message(const std::string& topic, const std::string& payload, uint64_t now_ms);
  void publish_births(uint64_t now_ms);
  bool publish_dbirth(size_t device, uint64_t now_ms);
  void publish_premature_data(uint64_t now_ms);
  void go_offline_for_host(uint64_t now_ms);
  void mark_offline();
  void schedule_reconnect(int delay_ms);
  void after_data_message();

  // Encodes and hands over one message; records and counts it. False when it was not sent.
  bool send(sent_type type, const topic_ref& topic, const sparkplug::payload& p, int qos,
            const std::string& device, const alias_names& names);
  void fill_birth_metric(sparkplug::metric& m, const metric_spec& spec, uint64_t alias,
                         const metric_sampler& s, size_t i, uint64_t now_ms);
  sparkplug::payload death_payload(uint64_t now_ms) const;
  static void advance(metric_sampler& s, uint64_t& last_ms, uint64_t now_ms);

  // DATA payload for a sampler: included metrics in `included_`, values in `published_`.
  // Returns false when report by exception found nothing to send.
  bool build_data(metric_sampler& s, const std::vector<double>& last_sent, uint64_t first_alias,
                  uint64_t now_ms, bool null_fault, bool historical_fault);

  const edge_node_config& cfg_;
  const profile& profile_;
  const edge_node_layout& layout_;
  uint32_t index_;
  std::unique_ptr<edge_transport> transport_;
  edge_node_services services_;
  edge_session session_;
  random_source rng_;

  topic_ref nbirth_topic_, ndata_topic_, ndeath_topic_;
  std::string state_topic_; // primary host's STATE topic, empty without one
  metric_sampler node_sampler_;
  std::vector<double> node_last_sent_;
  uint64_t node_last_sample_ms_;
  std::vector<device_state> devices_;

  sparkplug::payload birth_payload_; // reused by births
  sparkplug::payload data_payload_;  // reused by DATA
  std::vector<size_t> included_;
  std::vector<double> published_;
  std::string encoded_;

  uint32_t generation_ = 0;
  int failures_ = 0;
  std::optional<int> reconnect_delay_ms_;
  bool ever_connected_ = false;
  bool node_online_ = false; // NBIRTH current
  bool shutting_down_ = false;
  bool premature_data_sent_ = false;
  size_t born_devices_ = 0;
  uint64_t data_messages_ = 0;
  uint64_t ddata_messages_ = 0;
};

} // namespace floe::sim
