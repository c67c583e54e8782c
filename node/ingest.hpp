#pragma once
// ingest: the MQTT side of a member. host_client calls it on paho's callback thread for every
// message; it parses the topic (no allocation for the parse), finds or spawns the edge node's
// supervisor and hands it the payload bytes; decoding happens in the supervisor, on CAF's
// workers (docs/decisions.md D2). Not an actor: it lives on the callback thread, which is the
// only thread that spawns supervisors on demand; counters are atomics readable from any thread.
//
// Sharded (a cluster member, enable_sharding()): ingest routes only the edge nodes the cluster
// actor gave it with own(); the cluster actor takes them away with disown(). A message of any
// other edge node is dropped and counted (not_owned); an NBIRTH/NDEATH of one it has not
// reported before goes to the cluster actor as a discovery. Not sharded: every edge node is
// routed, its supervisor spawned on its first message.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/cluster/cluster_messages.hpp"
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

  // Before the first message: route only owned edge nodes, report discoveries to `cluster`.
  void enable_sharding(cluster::cluster_actor cluster);
  // Any thread (the cluster actor's): start routing `key` ("group/edge") to a new supervisor,
  // which is returned (the one already routing it, if any).
  host::supervisor_actor own(const std::string& key);
  // Any thread: stop routing `key`; its session is released (node and devices offline) and its
  // supervisor stopped. Messages of it already sent to the supervisor are dropped with it.
  void disown(const std::string& key);

  // Any thread.
  query::ingest_counters counters() const;
  // Every supervisor spawned so far (for shutdown). Any thread.
  std::vector<host::supervisor_actor> supervisors() const;

private:
  // Spawns and registers a supervisor; mtx_ held.
  host::supervisor_actor spawn_locked(const std::string& key, std::string_view group,
                                      std::string_view edge);

  caf::actor_system& sys_;
  host::host_context_ptr ctx_;
  host::directory_actor directory_;
  // Guards supervisors_: the callback thread routes, the cluster actor owns and disowns, any
  // thread lists. Held only for map operations.
  mutable std::mutex mtx_;
  std::unordered_map<std::string, host::supervisor_actor> supervisors_; // "group/edge"
  std::string key_; // reused lookup buffer (callback thread)
  bool sharded_ = false;
  cluster::cluster_actor cluster_;
  std::unordered_set<std::string> reported_; // discoveries sent (callback thread)

  std::atomic<uint64_t> messages_{0};
  std::atomic<uint64_t> bytes_{0};
  std::atomic<uint64_t> ignored_{0};
  std::atomic<uint64_t> bad_topics_{0};
  std::atomic<uint64_t> edge_nodes_{0};
  std::atomic<uint64_t> not_owned_{0};
  std::atomic<bool> connected_{false};
  std::atomic<uint64_t> connects_{0};
  std::atomic<uint64_t> losses_{0};
};

} // namespace floe::node
