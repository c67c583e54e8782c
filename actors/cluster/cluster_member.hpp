#pragma once
// cluster_member: this floe-node's part of the cluster. It links to the other members' cluster
// actors (connects to the seeds, answers members that connect to it), heartbeats them, feeds
// what it observes into membership, turns the view into owned edge nodes with ownership, and
// carries out every ownership diff through the two effects of its setup. docs/cluster.md has the
// protocol; the rules themselves live in membership.hpp and ownership.hpp.
//
// Contract of the effects: called on the actor's thread, must not block.
//   acquire(key): start routing the edge node's messages to a session, subscribe its filter on
//                 the broker and request a Rebirth once subscribed.
//   release(key): unsubscribe the filter, release the session and stop routing.
// A key is never acquired twice without a release in between.
//
// Links: a link is a monitored handle of a peer's cluster actor under the peer's own member id
// (learned from its hello or heartbeat, never from our spelling of the seed). A newer handle for
// the same id replaces the old one (the peer restarted); down_msgs of replaced handles are
// ignored (CAF #1301: a demonitor does not remove a queued down_msg).

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors/cluster/cluster_messages.hpp"
#include "actors/cluster/membership.hpp"
#include "actors/cluster/ownership.hpp"
#include "config/defaults.hpp"

namespace floe::cluster {

struct cluster_member_setup {
  // self id ("host:port" of this member's cluster port), seeds, size, heartbeat timeout.
  membership_config membership;
  // Period of heartbeats and of connect attempts (ms).
  int64_t heartbeat_interval_ms = defaults::cluster::heartbeat_interval_ms;
  // Longest a connect or a hello may take (ms).
  int64_t connect_timeout_ms = defaults::cluster::connect_timeout_ms;
  // Delay before connecting again to a seed that failed or whose link went (ms).
  int64_t reconnect_interval_ms = defaults::cluster::reconnect_interval_ms;
  // Answers (connect_atom, host, port) with (node_id, strong_actor_ptr, std::set<std::string>)
  // like CAF's middleman actor (sys.middleman().actor_handle()); tests pass a fake.
  caf::actor connector;
  std::function<void(const std::string& key)> acquire;
  std::function<void(const std::string& key)> release;
  // Edge nodes known at start (the store's registry).
  std::vector<std::string> known;
  // This member's query actor, told to every member in the hello (null: none).
  caf::actor query;
};

// A seed as configured, and what became of it.
struct seed_slot {
  std::string spelled; // as in --seeds
  std::string host;
  uint16_t port = 0;
  bool connecting = false;
  bool is_self = false;        // it answered with our own id: never connect again
  std::string member_id;       // the id it answered with ("" until then)
  int64_t next_attempt_ms = 0; // steady clock
};

struct cluster_member_state {
  static inline const char* name = "cluster_member";
  cluster_member_setup setup;
  std::optional<membership> view;
  std::optional<ownership> shards;
  std::vector<seed_slot> seeds;
  std::map<std::string, cluster_actor> links;        // member id -> its cluster actor
  std::map<caf::actor_addr, std::string> link_ids;   // reverse, for down_msgs
  std::map<std::string, caf::actor> queries;         // member id -> its query actor
  std::vector<membership_event> events;              // reused buffer
  std::optional<int64_t> deadline_timer_ms;          // a deadline tick is pending for this time
  bool leaving = false;
  bool left = false;
  std::optional<caf::typed_response_promise<bool>> leave_promise;
  size_t leave_acks_outstanding = 0;
  bool leave_unconfirmed = false; // a peer failed to confirm the leave
  uint64_t acquisitions = 0;
  uint64_t releases = 0;
  uint64_t connect_failures = 0;
};

using cluster_member_pointer = cluster_actor::stateful_pointer<cluster_member_state>;

cluster_actor::behavior_type cluster_member(cluster_member_pointer self, cluster_member_setup setup);


} // namespace floe::cluster
