#define CAF_SUITE cluster_ownership
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "actors/cluster/membership.hpp"
#include "actors/cluster/ownership.hpp"

using namespace floe::cluster;

namespace {

using strings = std::vector<std::string>;

strings edge_nodes(size_t n) {
  strings out;
  for (size_t i = 0; i < n; ++i)
    out.push_back(edge_node_key("plant", "edge-" + std::to_string(i)));
  return out;
}

const strings three = {"a", "b", "c"};

// A cluster of members on a simulated network: each member is a membership plus an ownership,
// as the cluster actor will hold them. Links can be cut two ways: "loss" (the connection drops,
// both sides get on_connection_lost at once) or "silence" (heartbeats stop, e.g. a partition
// the TCP connections do not notice; detection by heartbeat timeout). Every member heartbeats
// every other linked member each interval, at its own phase offset, and carries its live list.
struct sim {
  static constexpr int64_t interval = 500;
  static constexpr int64_t timeout = 3'000;
  static constexpr int64_t step = 50;

  struct node {
    std::string id;
    membership view;
    ownership own;
    int64_t phase;
  };

  std::vector<std::unique_ptr<node>> nodes;
  std::set<std::pair<size_t, size_t>> cut; // unordered pairs (i < j) whose link is down
  strings keys;
  int64_t now = 0;
  // Longest time any edge node had two owners (ms), during the start and since.
  int64_t startup_overlap = 0;
  int64_t longest_overlap = 0;
  std::map<std::string, int64_t> overlap_since;
  // Longest time any edge node had no owner (ms) since the last reset_measures().
  int64_t longest_gap = 0;
  std::map<std::string, int64_t> gap_since;

  sim(const strings& ids, size_t n_keys) : keys(edge_nodes(n_keys)) {
    for (size_t i = 0; i < ids.size(); ++i) {
      membership_config c;
      c.self = ids[i];
      c.seeds = ids;
      c.heartbeat_timeout_ms = timeout;
      int64_t phase = static_cast<int64_t>(i) * 3 * step % interval;
      nodes.push_back(
        std::make_unique<node>(node{ids[i], membership(c), ownership(ids[i]), phase}));
    }
    for (auto& n : nodes)
      for (const auto& k : keys)
        n->own.discover(k);
    for (size_t i = 0; i < nodes.size(); ++i)
      for (size_t j = 0; j < nodes.size(); ++j)
        if (i != j)
          nodes[i]->view.on_connected(nodes[j]->id, now);
    run(2 * interval);
    // Members come up at their own phases: the start converges like a rejoin. Measure the
    // tests from a settled cluster.
    startup_overlap = longest_overlap;
    reset_measures();
  }

  void reset_measures() {
    longest_overlap = longest_gap = 0;
    overlap_since.clear();
    gap_since.clear();
  }

  bool linked(size_t i, size_t j) const {
    return cut.count({std::min(i, j), std::max(i, j)}) == 0;
  }

  size_t index(const std::string& id) const {
    for (size_t i = 0; i < nodes.size(); ++i)
      if (nodes[i]->id == id)
        return i;
    CAF_FAIL("no member " << id);
    return 0;
  }

  // Cuts the links between the two groups. loss: connection losses reported on both ends.
  void partition(const strings& side, bool loss) {
    for (size_t i = 0; i < nodes.size(); ++i)
      for (size_t j = i + 1; j < nodes.size(); ++j) {
        bool i_in = std::count(side.begin(), side.end(), nodes[i]->id) > 0;
        bool j_in = std::count(side.begin(), side.end(), nodes[j]->id) > 0;
        if (i_in != j_in)
          cut_link(nodes[i]->id, nodes[j]->id, loss);
      }
  }

  void cut_link(const std::string& x, const std::string& y, bool loss) {
    size_t i = index(x), j = index(y);
    cut.insert({std::min(i, j), std::max(i, j)});
    if (loss) {
      nodes[i]->view.on_connection_lost(y, now);
      nodes[j]->view.on_connection_lost(x, now);
      apply(*nodes[i]);
      apply(*nodes[j]);
    }
  }

  // Restores every link (members reconnect).
  void heal() {
    for (auto [i, j] : cut) {
      nodes[i]->view.on_connected(nodes[j]->id, now);
      nodes[j]->view.on_connected(nodes[i]->id, now);
    }
    cut.clear();
  }

  void apply(node& n) {
    n.own.update(n.view.placement_members(), n.view.has_majority());
  }

  // Advances time by `ms` in steps, delivering heartbeats and ticks, checking owners each step.
  void run(int64_t ms) {
    int64_t end = now + ms;
    while (now < end) {
      now += step;
      for (size_t i = 0; i < nodes.size(); ++i) {
        if ((now - nodes[i]->phase) % interval != 0)
          continue;
        auto live = nodes[i]->view.live_members();
        for (size_t j = 0; j < nodes.size(); ++j)
          if (j != i && linked(i, j)) {
            nodes[j]->view.on_heartbeat(nodes[i]->id, now, live);
            apply(*nodes[j]);
          }
      }
      for (auto& n : nodes) {
        n->view.on_tick(now);
        apply(*n);
      }
      check();
    }
  }

  void check() {
    for (const auto& k : keys) {
      size_t owners = 0;
      for (auto& n : nodes)
        owners += n->own.owns(k) ? 1 : 0;
      if (owners > 1) {
        auto [it, fresh] = overlap_since.emplace(k, now);
        longest_overlap = std::max(longest_overlap, now - it->second);
      } else {
        overlap_since.erase(k);
      }
      if (owners == 0) {
        auto [it, fresh] = gap_since.emplace(k, now);
        longest_gap = std::max(longest_gap, now - it->second + step);
      } else {
        gap_since.erase(k);
      }
    }
  }

  // Owners of every key right now.
  std::map<std::string, strings> owners() const {
    std::map<std::string, strings> out;
    for (const auto& k : keys)
      for (auto& n : nodes)
        if (n->own.owns(k))
          out[k].push_back(n->id);
    return out;
  }

  size_t owned_by_none() const {
    size_t none = 0;
    auto o = owners();
    for (const auto& k : keys)
      none += o.count(k) == 0 ? 1 : 0;
    return none;
  }

  size_t owned_by_several() const {
    size_t n = 0;
    for (const auto& [k, os] : owners())
      n += os.size() > 1 ? 1 : 0;
    return n;
  }

  const ownership& own(const std::string& id) const { return nodes[index(id)]->own; }
};

} // namespace

CAF_TEST(a_member_alone_in_a_3_member_cluster_has_no_majority_and_owns_nothing) {
  membership_config c;
  c.self = "a";
  c.seeds = three;
  membership view(c);
  ownership own("a");
  for (const auto& k : edge_nodes(100))
    CAF_CHECK(own.discover(k).empty());
  auto diff = own.update(view.placement_members(), view.has_majority());
  CAF_CHECK(diff.empty());
  CAF_CHECK(own.owned().empty());
  CAF_CHECK_EQUAL(own.known_count(), 100u);
}

CAF_TEST(members_with_the_same_view_partition_the_edge_nodes) {
  auto keys = edge_nodes(600);
  std::map<std::string, size_t> owners_of;
  for (const auto& self : three) {
    ownership own(self);
    for (const auto& k : keys)
      own.discover(k);
    auto diff = own.update(three, true);
    CAF_CHECK(diff.released.empty());
    CAF_CHECK_EQUAL(diff.acquired.size(), own.owned().size());
    CAF_CHECK(std::is_sorted(diff.acquired.begin(), diff.acquired.end()));
    for (const auto& k : own.owned()) {
      ++owners_of[k];
      CAF_CHECK_EQUAL(std::string(owner_of(k, three)), self);
    }
  }
  CAF_CHECK_EQUAL(owners_of.size(), keys.size());
  for (const auto& [k, n] : owners_of)
    CAF_CHECK_EQUAL(n, 1u);
}

CAF_TEST(a_newly_discovered_edge_node_is_acquired_only_by_its_owner) {
  std::vector<ownership> members;
  for (const auto& id : three) {
    members.emplace_back(id);
    members.back().update(three, true);
  }
  for (const auto& k : edge_nodes(50)) {
    size_t acquired = 0;
    for (auto& own : members) {
      auto diff = own.discover(k);
      CAF_CHECK(diff.released.empty());
      if (!diff.acquired.empty()) {
        CAF_CHECK_EQUAL(diff.acquired, strings{k});
        CAF_CHECK_EQUAL(own.self(), std::string(owner_of(k, three)));
        ++acquired;
      }
      CAF_CHECK(own.discover(k).empty()); // seen again: nothing new
    }
    CAF_CHECK_EQUAL(acquired, 1u);
  }
}

CAF_TEST(an_unchanged_view_gives_an_empty_diff) {
  ownership own("a");
  for (const auto& k : edge_nodes(100))
    own.discover(k);
  CAF_CHECK(!own.update({"c", "a", "b"}, true).empty());
  CAF_CHECK(own.update({"a", "b", "c", "a"}, true).empty());
}

CAF_TEST(losing_the_majority_releases_everything_and_regaining_it_acquires_it_back) {
  ownership own("b");
  for (const auto& k : edge_nodes(300))
    own.discover(k);
  auto first = own.update(three, true);
  auto mine = own.owned();
  CAF_CHECK(!mine.empty());
  auto lost = own.update(three, false);
  CAF_CHECK(lost.acquired.empty());
  CAF_CHECK_EQUAL(lost.released, first.acquired);
  CAF_CHECK(own.owned().empty());
  CAF_CHECK(own.discover("plant/late-arrival").empty()); // no majority: nothing acquired
  auto back = own.update(three, true);
  CAF_CHECK(back.released.empty());
  CAF_CHECK(own.owned().size() >= mine.size());
  for (const auto& k : mine)
    CAF_CHECK(own.owns(k));
}

CAF_TEST(a_member_list_without_self_owns_nothing) {
  ownership own("z");
  for (const auto& k : edge_nodes(10))
    own.discover(k);
  CAF_CHECK(own.update(three, true).empty());
  CAF_CHECK(own.owned().empty());
}

CAF_TEST(a_leaving_member_hands_its_edge_nodes_to_the_survivors_and_nothing_else_moves) {
  auto keys = edge_nodes(900);
  std::map<std::string, ownership> members;
  for (const auto& id : three) {
    auto& own = members.emplace(id, ownership(id)).first->second;
    for (const auto& k : keys)
      own.discover(k);
    own.update(three, true);
  }
  auto leaving = members.at("b").owned();
  auto gone = members.at("b").leave();
  CAF_CHECK_EQUAL(gone.released.size(), leaving.size());
  CAF_CHECK(members.at("b").owned().empty());
  CAF_CHECK(members.at("b").update(three, true).empty()); // left for good
  size_t taken = 0;
  for (const auto& id : {"a", "c"}) {
    auto diff = members.at(id).update({"a", "c"}, true);
    CAF_CHECK(diff.released.empty());
    for (const auto& k : diff.acquired) {
      CAF_CHECK(leaving.count(k) == 1);
      ++taken;
    }
  }
  CAF_CHECK_EQUAL(taken, leaving.size());
}

CAF_TEST(a_rejoining_member_takes_back_exactly_its_edge_nodes) {
  auto keys = edge_nodes(900);
  std::map<std::string, ownership> members;
  for (const auto& id : three) {
    auto& own = members.emplace(id, ownership(id)).first->second;
    for (const auto& k : keys)
      own.discover(k);
    own.update(three, true);
  }
  auto c_before = members.at("c").owned();
  members.at("a").update({"a", "b"}, true);
  members.at("b").update({"a", "b"}, true);
  members.at("c").update({"c"}, false);
  CAF_CHECK(members.at("c").owned().empty());
  // c is back: a and b release exactly what c acquires, which is what c had.
  std::set<std::string> released;
  for (const auto& id : {"a", "b"}) {
    auto diff = members.at(id).update(three, true);
    CAF_CHECK(diff.acquired.empty());
    released.insert(diff.released.begin(), diff.released.end());
  }
  auto diff = members.at("c").update(three, true);
  std::set<std::string> acquired(diff.acquired.begin(), diff.acquired.end());
  CAF_CHECK(acquired == released);
  CAF_CHECK(members.at("c").owned() == c_before);
}

// ---- whole views: membership + ownership per member on a simulated network ----

CAF_TEST(a_started_cluster_owns_every_edge_node_exactly_once) {
  sim s({"a", "b", "c"}, 600);
  CAF_CHECK_EQUAL(s.owned_by_none(), 0u);
  CAF_CHECK_EQUAL(s.owned_by_several(), 0u);
  for (const auto& id : three)
    CAF_CHECK_GREATER(s.own(id).owned().size(), 100u);
  CAF_CHECK_LESS_OR_EQUAL(s.startup_overlap, 2 * sim::interval);
  CAF_MESSAGE("longest overlap while starting " << s.startup_overlap << " ms");
}

CAF_TEST(two_partitions_never_both_own_an_edge_node_when_connections_drop) {
  sim s({"a", "b", "c", "d", "e"}, 1000);
  s.partition({"a", "b"}, true);
  CAF_CHECK_EQUAL(s.owned_by_several(), 0u); // right after the losses
  s.run(2 * sim::timeout);
  CAF_CHECK_EQUAL(s.longest_overlap, 0);
  CAF_CHECK(s.own("a").owned().empty());
  CAF_CHECK(s.own("b").owned().empty());
  CAF_CHECK_EQUAL(s.owned_by_none(), 0u); // c, d, e took everything
  s.reset_measures();
  s.heal();
  s.run(2 * sim::interval);
  CAF_CHECK_EQUAL(s.owned_by_none(), 0u);
  CAF_CHECK_EQUAL(s.owned_by_several(), 0u);
  CAF_CHECK(!s.own("a").owned().empty());
  // Re-joining converges within a heartbeat interval or two, far below the detection time.
  CAF_CHECK_LESS_OR_EQUAL(s.longest_overlap, 2 * sim::interval);
  CAF_MESSAGE("rejoining: longest overlap " << s.longest_overlap << " ms, longest gap "
                                            << s.longest_gap << " ms");
}

CAF_TEST(a_rejoin_at_any_heartbeat_phase_converges_within_two_heartbeat_intervals) {
  int64_t overlap = 0, gap = 0;
  for (int64_t offset = 0; offset < sim::interval; offset += sim::step) {
    for (bool loss : {true, false}) {
      sim s({"a", "b", "c", "d", "e"}, 500);
      s.partition({"a", "b"}, loss);
      s.run(sim::timeout + sim::interval + offset);
      CAF_REQUIRE_EQUAL(s.owned_by_none(), 0u);
      s.reset_measures();
      s.heal();
      s.run(3 * sim::interval);
      CAF_CHECK_EQUAL(s.owned_by_none(), 0u);
      CAF_CHECK_EQUAL(s.owned_by_several(), 0u);
      overlap = std::max(overlap, s.longest_overlap);
      gap = std::max(gap, s.longest_gap);
    }
  }
  CAF_CHECK_LESS_OR_EQUAL(overlap, 2 * sim::interval);
  CAF_CHECK_LESS_OR_EQUAL(gap, 2 * sim::interval);
  CAF_MESSAGE("rejoin over all phases: longest overlap " << overlap << " ms, longest gap " << gap
                                                         << " ms");
}

CAF_TEST(two_partitions_never_both_own_an_edge_node_longer_than_the_timeout_when_silent) {
  int64_t overlap = 0;
  for (int64_t offset = 0; offset < sim::interval; offset += sim::step) {
    sim s({"a", "b", "c", "d", "e"}, 500);
    s.run(offset);
    s.partition({"a", "b"}, false); // links hang: only the heartbeat timeout notices
    s.run(sim::timeout + 2 * sim::interval);
    CAF_CHECK_LESS_OR_EQUAL(s.longest_overlap, sim::timeout);
    overlap = std::max(overlap, s.longest_overlap);
    CAF_CHECK_EQUAL(s.owned_by_several(), 0u);
    CAF_CHECK(s.own("a").owned().empty());
    CAF_CHECK(s.own("b").owned().empty());
    CAF_CHECK_EQUAL(s.owned_by_none(), 0u);
    s.heal();
    s.run(2 * sim::interval);
    CAF_CHECK_EQUAL(s.owned_by_none(), 0u);
    CAF_CHECK_EQUAL(s.owned_by_several(), 0u);
  }
  CAF_MESSAGE("silent partition over all phases: longest overlap " << overlap << " ms");
}

CAF_TEST(an_even_split_owns_nothing_on_either_side) {
  sim s({"a", "b", "c", "d"}, 400);
  s.partition({"a", "b"}, true);
  s.run(sim::interval);
  CAF_CHECK_EQUAL(s.owners().size(), 0u);
}

CAF_TEST(a_broken_link_between_two_members_that_see_a_third_gives_no_second_owner) {
  // b and c cannot reach each other but both see a: each keeps a majority (2 of 3). Hashing
  // over its own live list alone, b would take c's edge nodes and c would take b's.
  sim s({"a", "b", "c"}, 900);
  auto before = s.owners();
  s.cut_link("b", "c", true);
  s.run(sim::timeout + 2 * sim::interval);
  CAF_CHECK_EQUAL(s.longest_overlap, 0);
  CAF_CHECK_EQUAL(s.owned_by_several(), 0u);
  CAF_CHECK_EQUAL(s.owned_by_none(), 0u);
  CAF_CHECK(s.owners() == before); // nobody moved: a relays that b and c are alive
}

CAF_TEST(a_chain_of_members_never_gives_two_owners) {
  // a-b-c-d-e, each sees only its neighbours: a and e have no majority; b, c, d do. Safety
  // over liveness: nothing is owned twice; a's and e's edge nodes may stay unowned.
  sim s({"a", "b", "c", "d", "e"}, 1000);
  for (auto [x, y] : std::vector<std::pair<std::string, std::string>>{
         {"a", "c"}, {"a", "d"}, {"a", "e"}, {"b", "d"}, {"b", "e"}, {"c", "e"}})
    s.cut_link(x, y, true);
  s.run(sim::timeout + 2 * sim::interval);
  CAF_CHECK_EQUAL(s.longest_overlap, 0);
  CAF_CHECK_EQUAL(s.owned_by_several(), 0u);
  CAF_CHECK(s.own("a").owned().empty());
  CAF_CHECK(s.own("e").owned().empty());
  CAF_MESSAGE(s.owned_by_none() << " of 1000 edge nodes unowned while the chain lasts");
  s.heal();
  s.run(2 * sim::interval);
  CAF_CHECK_EQUAL(s.owned_by_none(), 0u);
  CAF_CHECK_EQUAL(s.owned_by_several(), 0u);
}

CAF_TEST(a_killed_member_is_replaced_within_the_detection_time) {
  sim s({"a", "b", "c"}, 600);
  auto c_had = s.own("c").owned();
  s.partition({"c"}, false); // c hangs (SIGSTOP): silence only
  int64_t start = s.now;
  while (s.owned_by_none() > 0 || !s.own("c").owned().empty() || s.now == start) {
    s.run(sim::step);
    CAF_REQUIRE_LESS_OR_EQUAL(s.now - start, sim::timeout + 2 * sim::interval);
  }
  // Every one of c's edge nodes has a new owner among a and b within timeout + one interval.
  for (const auto& k : c_had)
    CAF_CHECK(s.own("a").owns(k) || s.own("b").owns(k));
  CAF_MESSAGE("taken over after " << s.now - start << " ms");
}
