#pragma once
// ownership: which edge nodes this member owns, from the membership view, as a deterministic
// core without I/O or CAF. The cluster actor calls update() after every membership change and
// discover() for every edge node it learns of (NBIRTH/NDEATH on the discovery filters, a peer's
// list at join); it applies each returned diff to the broker and the host actors:
//   acquired: subscribe "spBv1.0/<group>/+/<edge>/#" (sparkplug::edge_node_filter), then, once
//             the SUBACK is in, request a Rebirth (NCMD "Node Control/Rebirth"); the NBIRTH is
//             a full snapshot, so no state moves between members.
//   released: unsubscribe that filter, then mark the session offline (host_released) and stop
//             its supervisor.
// docs/cluster.md has the whole hand-over sequence.
// Thread: not thread-safe; one owner at a time.
//
// Rules:
// * The owner of a known edge node is rendezvous::owner_of(key, members) over the members
//   given to the last update() (membership::placement_members(), which includes self).
// * Without a majority this member owns nothing: update(members, false) releases everything.
// * A newly discovered edge node is acquired only if this member owns it; other members only
//   remember it, so they can take it over when the membership changes.
// * Edge nodes once known stay known (an NDEATH does not end ownership: the owner keeps its
//   subscription to see the next NBIRTH).
// * leave(): the member is stopping; everything is released and nothing is owned again.
// Diffs list keys sorted; a key is never in both lists of one diff.

#include <cstddef>
#include <string>
#include <string_view>
#include <set>
#include <unordered_map>
#include <vector>

#include "actors/cluster/rendezvous.hpp"

namespace floe::cluster {

struct ownership_diff {
  std::vector<std::string> acquired; // subscribe, then request a Rebirth
  std::vector<std::string> released; // unsubscribe, then release the session

  bool empty() const noexcept { return acquired.empty() && released.empty(); }
};

class ownership {
public:
  explicit ownership(std::string self);

  // The membership view changed (or may have; an unchanged view costs a comparison).
  // `members` in any order; a member list without self owns nothing.
  ownership_diff update(std::vector<std::string> members, bool majority);

  // An edge node ("group/edge", see edge_node_key) was seen. Empty diff when it was known.
  ownership_diff discover(std::string_view key);

  // Stopping: releases everything; update() and discover() acquire nothing from now on.
  ownership_diff leave();

  bool owns(std::string_view key) const;
  bool knows(std::string_view key) const;
  // The owner under the current view, whether or not it has a majority; empty when unknown
  // members or after leave(). Does not require the key to be known.
  std::string_view owner_of(std::string_view key) const noexcept;

  const std::string& self() const noexcept { return self_; }
  bool has_majority() const noexcept { return majority_; }
  const std::vector<std::string>& members() const noexcept { return table_.members(); }
  // Sorted.
  const std::set<std::string, std::less<>>& owned() const noexcept { return owned_; }
  size_t known_count() const noexcept { return known_.size(); }
  // Every known edge node, sorted.
  std::vector<std::string> known_keys() const;

private:
  bool should_own(uint64_t key_h) const noexcept;

  std::string self_;
  bool in_members_ = false; // self is among the members of the current view
  bool majority_ = false;
  bool left_ = false;
  rendezvous_table table_;
  std::unordered_map<std::string, uint64_t> known_; // key -> key_hash
  std::set<std::string, std::less<>> owned_;
};

} // namespace floe::cluster
