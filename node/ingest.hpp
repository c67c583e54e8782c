#pragma once
// ingest: the MQTT side of a member. host_client calls it on paho's callback thread for every
// message; it parses the topic (no allocation for the parse), finds or spawns the edge node's
// supervisor and hands it the payload bytes; decoding happens in the supervisor, on CAF's
// workers (docs/decisions.md D2). Not an actor: it lives on the callback thread, which is the
// only thread touching the supervisor map; counters are atomics readable from any thread.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/host/host_context.hpp"
#include "actors/host/host_messages.hpp"
#include "actors/query/query_messages.hpp"

namespace floe::node {

class ingest {
public:
  ingest(caf::actor_system& sys, host::host_context_ptr ctx, host::directory_actor directory);

  // paho callback thread.
  void on_message(std::string_view topic, std::string_view payload);
  // paho callback thread: on connection loss every session is released (node and devices
  // offline; the next data after reconnecting asks for a rebirth).
  void on_status(bool connected, const std::string& reason);

  // Any thread.
  query::ingest_counters counters() const;
  // Every supervisor spawned so far (for shutdown). Any thread.
  std::vector<host::supervisor_actor> supervisors() const;

private:
  caf::actor_system& sys_;
  host::host_context_ptr ctx_;
  host::directory_actor directory_;
  mutable std::mutex mtx_; // guards supervisors_ against supervisors() from other threads
  std::unordered_map<std::string, host::supervisor_actor> supervisors_; // "group/edge"
  std::string key_; // reused lookup buffer

  std::atomic<uint64_t> messages_{0};
  std::atomic<uint64_t> bytes_{0};
  std::atomic<uint64_t> ignored_{0};
  std::atomic<uint64_t> bad_topics_{0};
  std::atomic<uint64_t> edge_nodes_{0};
  std::atomic<bool> connected_{false};
  std::atomic<uint64_t> connects_{0};
  std::atomic<uint64_t> losses_{0};
};

} // namespace floe::node
