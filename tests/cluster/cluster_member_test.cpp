// cluster_member actors on CAF's deterministic test coordinator: several members in one actor
// system, linked through a fake connector that plays the middleman (host:port -> actor), with
// virtual time. The effects record every acquire and release, so the tests see what a member
// would subscribe on the broker and in which order.
#define FAIL(msg) CAF_FAIL(msg)
#define CAF_SUITE cluster_member
#include <caf/test/dsl.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "actors/cluster/cluster_member.hpp"

using namespace floe;
using namespace floe::cluster;
using namespace std::chrono_literals;

namespace {

struct connector_state {
  static inline const char* name = "fake_connector";
  struct entry {
    caf::actor handle;
    std::set<std::string> interface; // as the middleman reports a published actor's
  };
  std::map<std::string, entry> published; // "host:port" -> what is published there
};

// Answers connect_atom like the middleman actor: the actor published at host:port, or
// cannot_connect_to_node.
caf::behavior fake_connector(caf::stateful_actor<connector_state>* self) {
  return {
    [=](caf::connect_atom, const std::string& host, uint16_t port)
      -> caf::result<caf::node_id, caf::strong_actor_ptr, std::set<std::string>> {
      auto it = self->state.published.find(host + ":" + std::to_string(port));
      if (it == self->state.published.end())
        return caf::make_error(caf::sec::cannot_connect_to_node);
      auto ptr = caf::actor_cast<caf::strong_actor_ptr>(it->second.handle);
      return {caf::node_id{}, ptr, it->second.interface};
    },
    [=](caf::put_atom, const std::string& where, const caf::actor& a, bool is_member) {
      std::set<std::string> ifs;
      if (is_member)
        ifs = self->system().message_types<cluster_actor>();
      self->state.published[where] = {a, std::move(ifs)};
    },
    [=](caf::delete_atom, const std::string& where) { self->state.published.erase(where); },
  };
}

// Every acquire and release of every member, in order.
struct effect_log {
  struct entry {
    std::string member;
    bool acquired;
    std::string key;
  };
  std::vector<entry> entries;
  std::map<std::string, std::set<std::string>> owned; // member -> keys, by the effects
  size_t contract_violations = 0; // acquire of an owned key or release of an unowned one

  void record(const std::string& member, bool acquired, const std::string& key) {
    entries.push_back({member, acquired, key});
    auto& mine = owned[member];
    bool changed = acquired ? mine.insert(key).second : mine.erase(key) > 0;
    if (!changed)
      ++contract_violations;
  }
};

const std::vector<std::string> three = {"10.0.0.1:4711", "10.0.0.2:4711", "10.0.0.3:4711"};

std::vector<std::string> plant_keys(size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i)
    out.push_back("Plant/edge-" + std::to_string(i));
  return out;
}

struct fixture : test_coordinator_fixture<> {
  caf::actor connector;
  std::shared_ptr<effect_log> effects = std::make_shared<effect_log>();
  std::map<std::string, cluster_actor> members;

  fixture() {
    connector = sys.spawn(fake_connector);
    sched.run();
  }

  ~fixture() {
    for (auto& [id, m] : members)
      caf::anon_send_exit(m, caf::exit_reason::kill);
    caf::anon_send_exit(connector, caf::exit_reason::kill);
    sched.run();
  }

  cluster_actor start_with_query(const std::string& id, caf::actor query,
                                 std::vector<std::string> known) {
    return start(id, std::move(known), three, std::move(query));
  }

  cluster_actor start(const std::string& id, std::vector<std::string> known = {},
                      std::vector<std::string> seeds = three, caf::actor query = {}) {
    cluster_member_setup cs;
    cs.query = std::move(query);
    cs.membership.self = id;
    cs.membership.seeds = std::move(seeds);
    cs.membership.heartbeat_timeout_ms = 3'000;
    cs.heartbeat_interval_ms = 500;
    cs.connect_timeout_ms = 2'000;
    cs.reconnect_interval_ms = 1'000;
    cs.connector = connector;
    auto log = effects;
    cs.acquire = [log, id](const std::string& k) { log->record(id, true, k); };
    cs.release = [log, id](const std::string& k) { log->record(id, false, k); };
    cs.known = std::move(known);
    auto m = sys.spawn(cluster_member, std::move(cs));
    members[id] = m;
    self->send(connector, caf::put_atom::value, id, caf::actor_cast<caf::actor>(m), true);
    sched.run();
    return m;
  }

  void kill(const std::string& id) {
    self->send(connector, caf::delete_atom::value, id);
    caf::anon_send_exit(members[id], caf::exit_reason::kill);
    members.erase(id);
    sched.run();
  }

  // Virtual time passes in 50 ms steps; every message due is handled.
  void run_for(std::chrono::milliseconds d) {
    for (auto t = 0ms; t < d; t += 50ms) {
      sched.run();
      advance_time(50ms);
      sched.run();
    }
  }

  cluster_status status(const cluster_actor& m) {
    cluster_status out;
    auto pending = self->request(m, caf::infinite, caf::get_atom::value);
    sched.run();
    pending.receive([&](cluster_status& s) { out = std::move(s); },
                    [&](caf::error& e) { CAF_FAIL("status: " << sys.render(e)); });
    return out;
  }

  // Every key owned by exactly one running member (by the status and by the effects).
  bool each_owned_once(const std::vector<std::string>& keys) {
    std::map<std::string, int> owners;
    for (auto& [id, m] : members) {
      auto s = status(m);
      std::set<std::string> by_status(s.owned.begin(), s.owned.end());
      if (by_status != effects->owned[id]) {
        CAF_MESSAGE(id << ": status and effects disagree");
        return false;
      }
      for (auto& k : s.owned)
        ++owners[k];
    }
    for (auto& k : keys)
      if (owners[k] != 1) {
        CAF_MESSAGE(k << " has " << owners[k] << " owners");
        return false;
      }
    return owners.size() == keys.size();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(cluster_member_tests, fixture)

CAF_TEST(three members that seed each other come up and own every edge node exactly once) {
  auto keys = plant_keys(60);
  start(three[0], keys); // only the first knows the edge nodes; known_atom spreads them
  start(three[1]);
  start(three[2]);
  run_for(2s);
  for (auto& [id, m] : members) {
    auto s = status(m);
    CAF_CHECK(s.majority);
    CAF_CHECK_EQUAL(s.live, 3u);
    CAF_CHECK_EQUAL(s.known_edge_nodes, keys.size());
    CAF_CHECK_GREATER(s.owned.size(), 5u); // 60 over 3: none is starved
  }
  CAF_CHECK(each_owned_once(keys));
  CAF_CHECK_EQUAL(effects->contract_violations, 0u);
}

CAF_TEST(a lone member of a three member cluster owns nothing until a second one joins) {
  auto keys = plant_keys(30);
  auto a = start(three[0], keys);
  run_for(3s);
  auto s = status(a);
  CAF_CHECK(!s.majority);
  CAF_CHECK(s.owned.empty());
  CAF_CHECK_GREATER(s.connect_failures, 0u); // the other two are not there
  start(three[1]);
  run_for(2s);
  CAF_CHECK(status(a).majority);
  CAF_CHECK(each_owned_once(keys));
}

CAF_TEST(the edge nodes of a killed member move to the survivors within a heartbeat interval) {
  auto keys = plant_keys(60);
  start(three[0], keys);
  start(three[1]);
  start(three[2]);
  run_for(2s);
  auto before = effects->owned[three[2]];
  CAF_REQUIRE(!before.empty());
  kill(three[2]);
  // The link's down_msg comes at once; placement drops the member once no survivor reports it
  // live, i.e. after the next heartbeat.
  run_for(600ms);
  CAF_CHECK(each_owned_once(keys));
  for (auto& k : before)
    CAF_CHECK(effects->owned[three[0]].count(k) + effects->owned[three[1]].count(k) == 1);
  CAF_CHECK_EQUAL(effects->contract_violations, 0u);
}

CAF_TEST(a restarted member gets back exactly the edge nodes it had) {
  auto keys = plant_keys(60);
  start(three[0], keys);
  start(three[1]);
  start(three[2]);
  run_for(2s);
  auto before = effects->owned[three[2]];
  kill(three[2]);
  run_for(1s);
  start(three[2]); // a new actor under the same id, knowing nothing
  run_for(3s);
  CAF_CHECK(each_owned_once(keys));
  CAF_CHECK(effects->owned[three[2]] == before);
}

CAF_TEST(a graceful stop hands every edge node over before releasing it) {
  auto keys = plant_keys(60);
  start(three[0], keys);
  start(three[1]);
  auto c = start(three[2]);
  run_for(2s);
  auto leaving = effects->owned[three[2]];
  CAF_REQUIRE(!leaving.empty());
  auto first_entry = effects->entries.size();
  bool confirmed = false;
  auto pending = self->request(c, caf::infinite, stop_atom::value);
  run_for(3s);
  pending.receive([&](bool ok) { confirmed = ok; },
                  [&](caf::error& e) { CAF_FAIL("stop: " << sys.render(e)); });
  CAF_CHECK(confirmed);
  CAF_CHECK(effects->owned[three[2]].empty());
  // Each of the leaver's keys was acquired by a survivor before the leaver released it.
  for (auto& k : leaving) {
    size_t acquired_at = SIZE_MAX, released_at = SIZE_MAX;
    for (size_t i = first_entry; i < effects->entries.size(); ++i) {
      auto& e = effects->entries[i];
      if (e.key != k)
        continue;
      if (e.acquired && e.member != three[2] && acquired_at == SIZE_MAX)
        acquired_at = i;
      if (!e.acquired && e.member == three[2])
        released_at = i;
    }
    CAF_CHECK_LESS(acquired_at, released_at);
    CAF_CHECK_NOT_EQUAL(released_at, SIZE_MAX);
  }
  members.erase(three[2]); // stopped: it owns nothing, the others own everything
  CAF_CHECK(each_owned_once(keys));
  CAF_CHECK_EQUAL(effects->contract_violations, 0u);
  caf::anon_send_exit(c, caf::exit_reason::kill);
}

CAF_TEST(edge nodes discovered later go to their owner only) {
  start(three[0]);
  start(three[1]);
  start(three[2]);
  run_for(2s);
  auto keys = plant_keys(20);
  // Every member hears every NBIRTH on the discovery filters.
  for (auto& k : keys)
    for (auto& [id, m] : members)
      self->send(m, discover_atom::value, k);
  sched.run();
  CAF_CHECK(each_owned_once(keys));
  CAF_CHECK_EQUAL(effects->contract_violations, 0u);
}

CAF_TEST(a birth heard by one member only still reaches the owner) {
  // The owner was not yet subscribed on the broker when the NBIRTHs came: only the first member
  // saw them on its discovery filters.
  start(three[0]);
  start(three[1]);
  start(three[2]);
  run_for(2s);
  auto keys = plant_keys(30);
  for (auto& k : keys)
    self->send(members[three[0]], discover_atom::value, k);
  sched.run();
  CAF_CHECK(each_owned_once(keys));
  for (auto& [id, m] : members)
    CAF_CHECK_EQUAL(status(m).known_edge_nodes, keys.size());
}

CAF_TEST(any member names the query actor of the owner of an edge node) {
  auto keys = plant_keys(12);
  std::map<std::string, caf::actor> queries;
  for (auto& id : three) {
    queries[id] = sys.spawn([]() -> caf::behavior { return {[](caf::get_atom) {}}; });
    start_with_query(id, queries[id], id == three[0] ? keys : std::vector<std::string>{});
  }
  run_for(2s);
  for (auto& k : keys) {
    std::string owner;
    for (auto& [id, owned] : effects->owned)
      if (owned.count(k) > 0)
        owner = id;
    CAF_REQUIRE(!owner.empty());
    for (auto& [id, m] : members) {
      auto pending = self->request(m, caf::infinite, owner_atom::value, k);
      sched.run();
      pending.receive(
        [&](caf::actor& q) {
          if (id == owner)
            CAF_CHECK(!q); // this member owns it: answer here
          else
            CAF_CHECK(q == queries[owner]);
        },
        [&](caf::error& e) { CAF_FAIL(sys.render(e)); });
    }
  }
  auto pending = self->request(members[three[0]], caf::infinite, peers_atom::value);
  sched.run();
  pending.receive([&](std::vector<caf::actor>& peers) { CAF_CHECK_EQUAL(peers.size(), 2u); },
                  [&](caf::error& e) { CAF_FAIL(sys.render(e)); });
  for (auto& [id, q] : queries)
    caf::anon_send_exit(q, caf::exit_reason::kill);
}

CAF_TEST(an actor of another kind on a seed port is not taken for a member) {
  auto stranger = sys.spawn([]() -> caf::behavior {
    return {[](caf::get_atom) { return std::string("an admin port"); }};
  });
  self->send(connector, caf::put_atom::value, three[1], stranger, false);
  auto a = start(three[0], plant_keys(10), {three[0], three[1]});
  run_for(3s);
  auto s = status(a);
  CAF_CHECK_EQUAL(s.live, 1u);
  CAF_CHECK(!s.majority); // 1 of 2
  CAF_CHECK_GREATER(s.connect_failures, 0u);
  CAF_CHECK(s.owned.empty());
  caf::anon_send_exit(stranger, caf::exit_reason::kill);
}

CAF_TEST(a cluster of one owns what its store knows from the start) {
  auto keys = plant_keys(5);
  auto a = start(three[0], keys, {});
  run_for(100ms);
  auto s = status(a);
  CAF_CHECK(s.majority);
  CAF_CHECK_EQUAL(s.owned.size(), keys.size());
}

CAF_TEST_FIXTURE_SCOPE_END()
