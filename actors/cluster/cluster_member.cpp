#include "actors/cluster/cluster_member.hpp"

#include <algorithm>
#include <chrono>
#include <set>
#include <variant>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/node_id.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "common/log.hpp"

namespace floe::cluster {

namespace {

using std::chrono::milliseconds;

// Monotonic ms from the actor's clock: steady_clock in production, virtual in the test
// coordinator.
int64_t now_ms(cluster_member_pointer self) {
  return std::chrono::duration_cast<milliseconds>(self->clock().now().time_since_epoch())
    .count();
}

void schedule(cluster_member_pointer self, int64_t delay_ms, tick_kind kind) {
  self->delayed_send(self, milliseconds(std::max<int64_t>(delay_ms, 0)), tick_atom::value,
                     static_cast<uint8_t>(kind));
}

void log_diff(const char* what, const std::vector<std::string>& keys, size_t owned) {
  if (keys.empty())
    return;
  if (keys.size() == 1)
    log::info("cluster", "%s edge node %s (%zu owned)", what, keys.front().c_str(), owned);
  else
    log::info("cluster", "%s %zu edge nodes (%s ... %s; %zu owned)", what, keys.size(),
              keys.front().c_str(), keys.back().c_str(), owned);
}

void carry_out(cluster_member_pointer self, const ownership_diff& diff) {
  auto& st = self->state;
  // Releases first: during a view change a member never holds more subscriptions than it owns.
  for (const auto& k : diff.released)
    st.setup.release(k);
  for (const auto& k : diff.acquired)
    st.setup.acquire(k);
  st.releases += diff.released.size();
  st.acquisitions += diff.acquired.size();
  log_diff("released", diff.released, st.shards->owned().size());
  log_diff("acquired", diff.acquired, st.shards->owned().size());
}

void send_known(cluster_member_pointer self, const cluster_actor& to) {
  auto& st = self->state;
  if (st.shards->known_count() == 0)
    return;
  self->send(to, known_atom::value, st.shards->known_keys());
}

// Drains the membership events, recomputes ownership and arms the deadline timer. Called after
// every membership input.
void apply_view(cluster_member_pointer self) {
  auto& st = self->state;
  st.view->take_events(st.events);
  for (auto& ev : st.events) {
    if (auto* up = std::get_if<member_up>(&ev)) {
      log::info("cluster", "member %s up (%zu of %zu live)", up->id.c_str(),
                st.view->live_count(), st.view->cluster_size());
      if (auto it = st.links.find(up->id); it != st.links.end())
        send_known(self, it->second);
    } else if (auto* down = std::get_if<member_down>(&ev)) {
      log::warn("cluster", "member %s down: %s (%zu of %zu live)", down->id.c_str(),
                to_string(down->reason), st.view->live_count(), st.view->cluster_size());
    } else if (auto* lost = std::get_if<majority_lost>(&ev)) {
      log::error("cluster", "majority lost: %zu of %zu members live; giving up every edge node "
                 "until a majority is back", lost->live, lost->cluster_size);
    } else if (auto* back = std::get_if<majority_regained>(&ev)) {
      log::info("cluster", "majority: %zu of %zu members live", back->live, back->cluster_size);
    } else if (std::get_if<member_id_conflict>(&ev)) {
      static log::throttle throttle{10'000};
      if (auto n = throttle.pass(now_ms(self)))
        log::error("cluster", "another process uses this member's id %s (--cluster-advertise); "
                   "two members with one id would both own the same edge nodes (%llu similar)",
                   st.view->self().c_str(), static_cast<unsigned long long>(n - 1));
    }
  }
  carry_out(self, st.shards->update(st.view->placement_members(), st.view->has_majority()));
  if (auto d = st.view->next_deadline()) {
    if (!st.deadline_timer_ms || *d < *st.deadline_timer_ms) {
      st.deadline_timer_ms = *d;
      schedule(self, *d - now_ms(self), tick_kind::deadline);
    }
  }
}

// A link to member `id` through `handle` exists (we connected and it answered hello, or it sent
// us a hello or heartbeat). Returns false when `id` is our own.
bool link(cluster_member_pointer self, const std::string& id, const cluster_actor& handle) {
  auto& st = self->state;
  if (!handle)
    return false;
  if (id == st.view->self())
    return false;
  auto addr = handle.address();
  if (auto it = st.links.find(id); it != st.links.end()) {
    if (it->second.address() == addr)
      return true;
    // The member restarted (new node id, new actor): the new handle wins.
    self->demonitor(it->second.address());
    st.link_ids.erase(it->second.address());
    log::info("cluster", "member %s reconnected with a new actor", id.c_str());
  }
  self->monitor(handle);
  st.links[id] = handle;
  st.link_ids[addr] = id;
  st.view->on_connected(id, now_ms(self));
  if (!st.leaving)
    self->send(handle, heartbeat_atom::value, st.view->self(), st.view->live_members());
  apply_view(self);
  return true;
}

void connect_seed(cluster_member_pointer self, size_t index) {
  auto& st = self->state;
  auto& slot = st.seeds[index];
  slot.connecting = true;
  auto timeout = milliseconds(st.setup.connect_timeout_ms);
  auto fail = [self, index](const std::string& why) {
    auto& st = self->state;
    auto& slot = st.seeds[index];
    slot.connecting = false;
    slot.next_attempt_ms = now_ms(self) + st.setup.reconnect_interval_ms;
    ++st.connect_failures;
    // One line per seed and minute: a member that is down for long would flood the log.
    static log::throttle throttle{60'000};
    if (auto n = throttle.pass(now_ms(self)))
      log::warn("cluster", "cannot link to seed %s: %s (%llu similar)", slot.spelled.c_str(),
                why.c_str(), static_cast<unsigned long long>(n - 1));
  };
  self
    ->request(st.setup.connector, timeout, caf::connect_atom::value, slot.host, slot.port)
    .then(
      [self, index, timeout, fail](const caf::node_id&, caf::strong_actor_ptr& ptr,
                                   const std::set<std::string>& ifs) {
        auto& st = self->state;
        if (!ptr) {
          fail("nothing is published on that port");
          return;
        }
        if (ifs != self->system().message_types<cluster_actor>()) {
          fail("the actor on that port is not a floe cluster member (an admin port?)");
          return;
        }
        auto handle = caf::actor_cast<cluster_actor>(ptr);
        self->request(handle, timeout, hello_atom::value, st.view->self(), st.setup.query)
          .then(
            [self, index, handle](const std::string& peer_id, const caf::actor& query) {
              auto& st = self->state;
              auto& slot = st.seeds[index];
              slot.connecting = false;
              slot.next_attempt_ms = now_ms(self) + st.setup.reconnect_interval_ms;
              if (peer_id == st.view->self()) {
                slot.is_self = true;
                log::info("cluster", "seed %s is this member", slot.spelled.c_str());
                return;
              }
              if (peer_id != slot.spelled && slot.member_id != peer_id)
                log::warn("cluster", "seed %s calls itself %s: spell the seeds as the members "
                          "advertise themselves, or the cluster size counts it twice",
                          slot.spelled.c_str(), peer_id.c_str());
              slot.member_id = peer_id;
              if (query)
                st.queries[peer_id] = query;
              link(self, peer_id, handle);
            },
            [fail, self](caf::error& e) { fail("hello: " + self->system().render(e)); });
      },
      [fail, self](caf::error& e) { fail(self->system().render(e)); });
}

bool seed_linked(const cluster_member_state& st, const seed_slot& slot) {
  if (st.links.count(slot.spelled) > 0)
    return true;
  return !slot.member_id.empty() && st.links.count(slot.member_id) > 0;
}

void periodic(cluster_member_pointer self) {
  auto& st = self->state;
  auto now = now_ms(self);
  st.view->on_tick(now);
  apply_view(self);
  if (!st.leaving) {
    auto live = st.view->live_members();
    for (auto& [id, handle] : st.links)
      self->send(handle, heartbeat_atom::value, st.view->self(), live);
  }
  if (!st.left)
    for (size_t i = 0; i < st.seeds.size(); ++i) {
      auto& slot = st.seeds[i];
      if (slot.is_self || slot.connecting || now < slot.next_attempt_ms || seed_linked(st, slot))
        continue;
      connect_seed(self, i);
    }
  schedule(self, st.setup.heartbeat_interval_ms, tick_kind::periodic);
}

void finish_leave(cluster_member_pointer self, bool all_acked) {
  auto& st = self->state;
  if (st.left)
    return;
  st.left = true;
  carry_out(self, st.shards->leave());
  log::info("cluster", "left the cluster%s", all_acked ? "" : " (not every member confirmed)");
  if (st.leave_promise) {
    st.leave_promise->deliver(all_acked);
    st.leave_promise.reset();
  }
}

cluster_status make_status(cluster_member_pointer self) {
  auto& st = self->state;
  auto now = now_ms(self);
  cluster_status s;
  s.enabled = true;
  s.self = st.view->self();
  s.majority = st.view->has_majority();
  s.cluster_size = st.view->cluster_size();
  s.live = st.view->live_count();
  for (auto& m : st.view->members()) {
    member_status ms;
    ms.id = m.id;
    ms.self = m.self;
    ms.configured = m.configured;
    ms.connected = m.connected;
    ms.up = m.up;
    if (m.last_heartbeat_ms)
      ms.heartbeat_age_ms = now - *m.last_heartbeat_ms;
    if (m.last_down)
      ms.last_down = to_string(*m.last_down);
    if (m.changed_ms != 0)
      ms.changed_age_ms = now - m.changed_ms;
    ms.reported = m.reported;
    s.members.push_back(std::move(ms));
  }
  s.placement = st.view->placement_members();
  s.known_edge_nodes = st.shards->known_count();
  s.owned.assign(st.shards->owned().begin(), st.shards->owned().end());
  s.acquisitions = st.acquisitions;
  s.releases = st.releases;
  s.connect_failures = st.connect_failures;
  s.heartbeats_received = st.view->counters().heartbeats;
  return s;
}

void discover(cluster_member_pointer self, const std::string& key) {
  auto& st = self->state;
  carry_out(self, st.shards->discover(key));
}

} // namespace

cluster_actor::behavior_type cluster_member(cluster_member_pointer self,
                                            cluster_member_setup setup) {
  auto& st = self->state;
  st.setup = std::move(setup);
  st.view.emplace(st.setup.membership);
  st.shards.emplace(st.setup.membership.self);
  std::set<std::string> spelled;
  for (const auto& s : st.setup.membership.seeds) {
    if (s == st.setup.membership.self || !spelled.insert(s).second)
      continue;
    auto hp = parse_host_port(s);
    if (!hp) {
      log::error("cluster", "seed '%s' is not host:port; ignored", s.c_str());
      continue;
    }
    seed_slot slot;
    slot.spelled = s;
    slot.host = hp->host;
    slot.port = hp->port;
    st.seeds.push_back(std::move(slot));
  }
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    auto it = st.link_ids.find(dm.source);
    if (it == st.link_ids.end())
      return; // a replaced or unknown handle
    std::string id = it->second;
    st.link_ids.erase(it);
    st.links.erase(id);
    st.view->on_connection_lost(id, now_ms(self));
    for (auto& slot : st.seeds)
      if (slot.member_id == id || slot.spelled == id)
        slot.next_attempt_ms = 0; // reconnect at the next tick
    apply_view(self);
  });
  for (const auto& k : st.setup.known)
    st.shards->discover(k); // no majority yet (unless alone): nothing acquired here
  st.setup.known.clear();
  st.setup.known.shrink_to_fit();
  apply_view(self); // a cluster of one has its majority now and acquires the known nodes
  self->send(self, tick_atom::value, static_cast<uint8_t>(tick_kind::periodic));
  log::info("cluster", "member %s, %zu seeds, cluster size %zu, heartbeat %lld ms, timeout %lld "
            "ms", st.view->self().c_str(), st.seeds.size(), st.view->cluster_size(),
            static_cast<long long>(st.setup.heartbeat_interval_ms),
            static_cast<long long>(st.setup.membership.heartbeat_timeout_ms));
  return {
    [self](hello_atom, const std::string& id, const caf::actor& query)
      -> caf::result<std::string, caf::actor> {
      auto& st = self->state;
      auto sender = caf::actor_cast<cluster_actor>(self->current_sender());
      if (query && id != st.view->self())
        st.queries[id] = query;
      link(self, id, sender);
      return {st.view->self(), st.setup.query};
    },
    [self](heartbeat_atom, const std::string& id, const std::vector<std::string>& live) {
      auto& st = self->state;
      if (id != st.view->self()) {
        auto sender = caf::actor_cast<cluster_actor>(self->current_sender());
        auto it = st.links.find(id);
        if (sender && (it == st.links.end() || it->second.address() != sender.address()))
          link(self, id, sender);
      }
      st.view->on_heartbeat(id, now_ms(self), live);
      apply_view(self);
    },
    [self](leave_atom, const std::string& id) -> bool {
      auto& st = self->state;
      st.view->on_left(id, now_ms(self));
      apply_view(self);
      return true;
    },
    [self](known_atom, const std::vector<std::string>& keys) {
      // One diff for the whole list: one log line, not one per edge node.
      ownership_diff all;
      for (const auto& k : keys) {
        auto d = self->state.shards->discover(k);
        all.acquired.insert(all.acquired.end(), d.acquired.begin(), d.acquired.end());
      }
      std::sort(all.acquired.begin(), all.acquired.end());
      carry_out(self, all);
    },
    [self](discover_atom, const std::string& key) {
      // Tell the linked members too: the owner may have missed the birth (not yet subscribed
      // on the broker when it came), and known keys are otherwise exchanged only when a member
      // comes up. Only ingest's discoveries spread; known_atom from peers does not echo.
      auto& st = self->state;
      if (st.shards->knows(key))
        return;
      discover(self, key);
      std::vector<std::string> one{key};
      for (auto& [id, handle] : st.links)
        self->send(handle, known_atom::value, one);
    },
    [self](caf::get_atom) -> cluster_status { return make_status(self); },
    [self](peers_atom) -> std::vector<caf::actor> {
      auto& st = self->state;
      std::vector<caf::actor> out;
      for (const auto& id : st.view->live_members())
        if (auto it = st.queries.find(id); it != st.queries.end() && it->second)
          out.push_back(it->second);
      return out;
    },
    [self](owner_atom, const std::string& key) -> caf::actor {
      auto& st = self->state;
      if (!st.shards->has_majority())
        return {};
      std::string owner(st.shards->owner_of(key));
      if (owner.empty() || owner == st.view->self())
        return {};
      auto it = st.queries.find(owner);
      return it == st.queries.end() ? caf::actor{} : it->second;
    },
    [self](stop_atom) -> caf::result<bool> {
      auto& st = self->state;
      if (st.left)
        return true;
      auto promise = self->make_response_promise<bool>();
      if (st.leaving) {
        promise.deliver(false); // a second stop while leaving: the first one answers
        return promise;
      }
      st.leaving = true;
      st.leave_promise = promise;
      // Peers that confirm the leave acquire at once; then give their next heartbeats one
      // interval to spread the view without us (placement sets include reported members), so
      // the edge nodes are not left without an owner; then release.
      st.leave_acks_outstanding = st.links.size();
      auto linger = st.setup.heartbeat_interval_ms + st.setup.heartbeat_interval_ms / 5;
      if (st.links.empty()) {
        finish_leave(self, true);
        return promise;
      }
      for (auto& [id, handle] : st.links)
        self->request(handle, milliseconds(st.setup.connect_timeout_ms), leave_atom::value,
                      st.view->self())
          .then(
            [self, linger](bool) {
              if (--self->state.leave_acks_outstanding == 0)
                schedule(self, linger, tick_kind::leave_finish);
            },
            [self, linger](caf::error&) {
              auto& st = self->state;
              st.leave_unconfirmed = true;
              if (--st.leave_acks_outstanding == 0)
                schedule(self, linger, tick_kind::leave_finish);
            });
      // Bound: a peer that never answers must not hold the stop.
      schedule(self, st.setup.connect_timeout_ms + linger, tick_kind::leave_finish);
      return promise;
    },
    [self](tick_atom, uint8_t kind) {
      auto& st = self->state;
      switch (static_cast<tick_kind>(kind)) {
        case tick_kind::deadline:
          st.deadline_timer_ms.reset();
          st.view->on_tick(now_ms(self));
          apply_view(self);
          break;
        case tick_kind::periodic:
          periodic(self);
          break;
        case tick_kind::leave_finish:
          finish_leave(self, st.leave_acks_outstanding == 0 && !st.leave_unconfirmed);
          break;
      }
    },
  };
}

void add_cluster_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<member_status>("floe::cluster::member_status");
  cfg.add_message_type<cluster_status>("floe::cluster::cluster_status");
}

} // namespace floe::cluster
