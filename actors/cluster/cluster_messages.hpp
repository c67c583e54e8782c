#pragma once
// Messages and the typed interface of the cluster module: one cluster_member actor per floe-node
// (cluster_member.hpp), talking to the cluster_member actors of the other members over CAF's
// middleman, to ingest (discoveries) and to the query actor (status). docs/cluster.md has the
// protocol.
//
// cluster_actor, from peers (every payload is a builtin CAF type, so nothing to register for the
// peer protocol itself):
//   hello_atom, member id, query actor -> member id, query actor
//                                          a member connected to us; both sides learn the
//                                          other's id and query actor (admin routing)
//   heartbeat_atom, member id, live        every heartbeat_interval_ms to every linked member;
//                                          live = the sender's membership::live_members()
//   leave_atom, member id -> bool          the sender is stopping (graceful leave); true = seen
//   known_atom, keys                       edge nodes ("group/edge") the sender knows of
// from this process:
//   discover_atom, key                     ingest saw an NBIRTH/NDEATH of an edge node it does
//                                          not route; a new key is passed on to the linked
//                                          members as known_atom
//   known_atom, keys                       also the store's edge nodes at start
//   get_atom -> cluster_status             for the admin shell
//   peers_atom -> vector<actor>            query actors of the live members but this one
//   owner_atom, key -> actor               query actor of the key's owner; null when it is this
//                                          member, unknown, or without a majority
//   stop_atom -> bool                      graceful leave; replies once the edge nodes are
//                                          released (true) or the leave timed out (false)
//   tick_atom, kind                        internal timers (tick_kind)

#include <cstdint>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

namespace floe::cluster {

using hello_atom = caf::atom_constant<caf::atom("chello")>;
using heartbeat_atom = caf::atom_constant<caf::atom("cbeat")>;
using leave_atom = caf::atom_constant<caf::atom("cleave")>;
using known_atom = caf::atom_constant<caf::atom("cknown")>;
using discover_atom = caf::atom_constant<caf::atom("cdiscover")>;
using stop_atom = caf::atom_constant<caf::atom("cstop")>;
using tick_atom = caf::atom_constant<caf::atom("ctick")>;
using peers_atom = caf::atom_constant<caf::atom("cpeers")>;
using owner_atom = caf::atom_constant<caf::atom("cowner")>;

// What a tick_atom timer is for.
enum class tick_kind : uint8_t {
  deadline = 0,     // a membership deadline (heartbeat timeout) is due
  periodic = 1,     // heartbeats out, connects to unlinked seeds, deadlines
  leave_finish = 2, // graceful leave: peers had their time to take over; release everything
};

// One member as this member sees it (membership::member_view, flattened for the wire).
struct member_status {
  std::string id;
  bool self = false;
  bool configured = false;   // self or named in --seeds
  bool connected = false;    // a link to its cluster actor exists
  bool up = false;           // live: connected and heartbeating
  int64_t heartbeat_age_ms = -1; // since its last heartbeat (-1: none yet, or self)
  std::string last_down;     // reason of its last down ("" never down)
  int64_t changed_age_ms = -1;   // since its last up/down change (-1: never)
  std::vector<std::string> reported; // its live members, from its last heartbeat
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, member_status& x) {
  return f(caf::meta::type_name("floe::cluster::member_status"), x.id, x.self, x.configured,
           x.connected, x.up, x.heartbeat_age_ms, x.last_down, x.changed_age_ms, x.reported);
}

struct cluster_status {
  bool enabled = false;      // false: --cluster-port 0, this process owns every edge node
  std::string self;          // member id
  bool majority = false;
  uint64_t cluster_size = 0; // the majority's denominator (membership::cluster_size)
  uint64_t live = 0;         // live members including self
  std::vector<member_status> members;
  std::vector<std::string> placement; // members the ownership hashes over
  uint64_t known_edge_nodes = 0;
  std::vector<std::string> owned;     // "group/edge", sorted
  uint64_t acquisitions = 0;          // edge nodes acquired since the start
  uint64_t releases = 0;              // edge nodes released since the start
  uint64_t connect_failures = 0;      // connects to seeds or members that failed or timed out
  uint64_t heartbeats_received = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_status& x) {
  return f(caf::meta::type_name("floe::cluster::cluster_status"), x.enabled, x.self, x.majority,
           x.cluster_size, x.live, x.members, x.placement, x.known_edge_nodes, x.owned,
           x.acquisitions, x.releases, x.connect_failures, x.heartbeats_received);
}

using cluster_actor = caf::typed_actor<
  caf::replies_to<hello_atom, std::string, caf::actor>::with<std::string, caf::actor>,
  caf::reacts_to<heartbeat_atom, std::string, std::vector<std::string>>,
  caf::replies_to<leave_atom, std::string>::with<bool>,
  caf::reacts_to<known_atom, std::vector<std::string>>,
  caf::reacts_to<discover_atom, std::string>,
  caf::replies_to<caf::get_atom>::with<cluster_status>,
  caf::replies_to<stop_atom>::with<bool>,
  caf::replies_to<peers_atom>::with<std::vector<caf::actor>>,
  caf::replies_to<owner_atom, std::string>::with<caf::actor>,
  caf::reacts_to<tick_atom, uint8_t>>;

// Registers cluster_status (the admin shell receives it) and member_status.
void add_cluster_message_types(caf::actor_system_config& cfg);

} // namespace floe::cluster
