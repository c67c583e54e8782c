#define CAF_SUITE cluster_membership
#include <caf/test/unit_test.hpp>

#include <string>
#include <vector>

#include "actors/cluster/membership.hpp"

using namespace floe::cluster;

namespace {

using strings = std::vector<std::string>;

constexpr int64_t timeout = 3'000;

membership_config config_of(std::string self, strings seeds, size_t size = 0) {
  membership_config c;
  c.self = std::move(self);
  c.seeds = std::move(seeds);
  c.cluster_size = size;
  c.heartbeat_timeout_ms = timeout;
  return c;
}

struct fixture {
  // "a" in a configured cluster of three; the seed list names self too, as in a shared config.
  membership m{config_of("a", {"a", "b", "c"})};
  int64_t now = 1'000;
  std::vector<membership_event> events;

  void connect_and_beat(const std::string& id, strings reported = {}) {
    m.on_connected(id, now);
    m.on_heartbeat(id, now, reported);
  }

  std::vector<membership_event>& drain() {
    m.take_events(events);
    return events;
  }

  template <class T>
  std::vector<T> all() {
    std::vector<T> out;
    for (auto& e : drain())
      if (auto* p = std::get_if<T>(&e))
        out.push_back(*p);
    return out;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(cluster_membership_tests, fixture)

CAF_TEST(a_member_without_seeds_is_a_cluster_of_one_with_a_majority) {
  membership solo(config_of("solo:4711", {}));
  CAF_CHECK_EQUAL(solo.cluster_size(), 1u);
  CAF_CHECK(solo.has_majority());
  CAF_CHECK_EQUAL(solo.live_members(), strings{"solo:4711"});
  CAF_CHECK(solo.events().empty());
  CAF_CHECK(!solo.next_deadline());
}

CAF_TEST(configured_size_counts_seeds_and_self_once) {
  CAF_CHECK_EQUAL(m.configured_size(), 3u);
  CAF_CHECK_EQUAL(m.cluster_size(), 3u);
  membership without_self(config_of("a", {"b", "c", "b", ""}));
  CAF_CHECK_EQUAL(without_self.cluster_size(), 3u);
  membership explicit_size(config_of("a", {"b"}, 5));
  CAF_CHECK_EQUAL(explicit_size.cluster_size(), 5u);
  // An explicit size below the seed count cannot shrink the cluster.
  membership too_small(config_of("a", {"b", "c", "d"}, 2));
  CAF_CHECK_EQUAL(too_small.cluster_size(), 4u);
}

CAF_TEST(a_member_alone_in_a_3_member_cluster_has_no_majority) {
  CAF_CHECK(!m.has_majority());
  CAF_CHECK_EQUAL(m.live_count(), 1u);
  CAF_CHECK_EQUAL(m.live_members(), strings{"a"});
  CAF_CHECK(m.events().empty()); // the start is no change
}

CAF_TEST(a_connected_member_is_not_up_before_its_first_heartbeat) {
  m.on_connected("b", now);
  CAF_CHECK(!m.is_up("b"));
  CAF_CHECK(drain().empty());
  m.on_heartbeat("b", now + 5);
  CAF_CHECK(m.is_up("b"));
  auto ups = all<member_up>();
  CAF_REQUIRE_EQUAL(ups.size(), 1u);
  CAF_CHECK_EQUAL(ups[0].id, "b");
  CAF_CHECK_EQUAL(ups[0].at_ms, now + 5);
}

CAF_TEST(the_second_live_member_of_three_brings_the_majority) {
  connect_and_beat("b");
  auto& ev = drain();
  CAF_REQUIRE_EQUAL(ev.size(), 2u);
  CAF_CHECK(std::holds_alternative<member_up>(ev[0]));
  auto* gained = std::get_if<majority_regained>(&ev[1]);
  CAF_REQUIRE(gained != nullptr);
  CAF_CHECK_EQUAL(gained->live, 2u);
  CAF_CHECK_EQUAL(gained->cluster_size, 3u);
  CAF_CHECK(m.has_majority());
  CAF_CHECK_EQUAL(m.live_members(), (strings{"a", "b"}));
}

CAF_TEST(a_heartbeat_without_a_connection_is_ignored) {
  m.on_heartbeat("b", now);
  CAF_CHECK(!m.is_up("b"));
  CAF_CHECK(drain().empty());
  CAF_CHECK_EQUAL(m.counters().heartbeats_unconnected, 1u);
  CAF_CHECK_EQUAL(m.counters().heartbeats, 0u);
}

CAF_TEST(heartbeat_silence_past_the_timeout_marks_a_member_down) {
  connect_and_beat("b");
  connect_and_beat("c");
  drain();
  CAF_CHECK_EQUAL(m.next_deadline(), now + timeout);
  m.on_heartbeat("c", now + 2'000);
  m.on_tick(now + timeout - 1);
  CAF_CHECK(m.is_up("b"));
  CAF_CHECK(drain().empty());
  m.on_tick(now + timeout);
  CAF_CHECK(!m.is_up("b"));
  CAF_CHECK(m.is_up("c"));
  auto downs = all<member_down>();
  CAF_REQUIRE_EQUAL(downs.size(), 1u);
  CAF_CHECK_EQUAL(downs[0].id, "b");
  CAF_CHECK(downs[0].reason == down_reason::heartbeat_timeout);
  CAF_CHECK_EQUAL(downs[0].at_ms, now + timeout);
  CAF_CHECK(m.has_majority()); // a and c
  CAF_CHECK_EQUAL(m.next_deadline(), now + 2'000 + timeout);
  CAF_CHECK_EQUAL(m.counters().downs_heartbeat, 1u);
}

CAF_TEST(timeouts_are_checked_at_every_event_not_only_on_ticks) {
  connect_and_beat("b");
  connect_and_beat("c");
  m.on_heartbeat("c", now + 2'000);
  drain();
  // No tick ran; c's heartbeat comes after b's deadline: b is down first, then c counts.
  m.on_heartbeat("c", now + timeout + 500);
  auto downs = all<member_down>();
  CAF_REQUIRE_EQUAL(downs.size(), 1u);
  CAF_CHECK_EQUAL(downs[0].id, "b");
  CAF_CHECK(!m.is_up("b"));
  CAF_CHECK(m.is_up("c"));
}

CAF_TEST(a_late_heartbeat_after_a_missed_tick_still_counts_as_a_down_and_an_up) {
  connect_and_beat("b");
  drain();
  m.on_heartbeat("b", now + timeout + 10);
  auto& ev = drain();
  CAF_REQUIRE_EQUAL(ev.size(), 4u);
  CAF_CHECK(std::holds_alternative<member_down>(ev[0]));
  CAF_CHECK(std::holds_alternative<majority_lost>(ev[1]));
  CAF_CHECK(std::holds_alternative<member_up>(ev[2]));
  CAF_CHECK(std::holds_alternative<majority_regained>(ev[3]));
  CAF_CHECK(m.is_up("b"));
}

CAF_TEST(connection_loss_marks_a_member_down_at_once) {
  connect_and_beat("b");
  connect_and_beat("c");
  drain();
  m.on_connection_lost("b", now + 1);
  CAF_CHECK(!m.is_up("b"));
  auto downs = all<member_down>();
  CAF_REQUIRE_EQUAL(downs.size(), 1u);
  CAF_CHECK(downs[0].reason == down_reason::connection_lost);
  CAF_CHECK_EQUAL(downs[0].at_ms, now + 1);
  CAF_CHECK_EQUAL(m.counters().downs_connection, 1u);
  // A second loss report (down_msg and a failed request) changes nothing.
  m.on_connection_lost("b", now + 2);
  CAF_CHECK(drain().empty());
}

CAF_TEST(after_a_connection_loss_only_a_new_connection_and_heartbeat_bring_a_member_back) {
  connect_and_beat("b");
  m.on_connection_lost("b", now + 1);
  drain();
  m.on_heartbeat("b", now + 2); // stale, processed after the loss
  CAF_CHECK(!m.is_up("b"));
  m.on_connected("b", now + 100);
  CAF_CHECK(!m.is_up("b")); // the heartbeat before the loss does not count
  m.on_heartbeat("b", now + 150);
  CAF_CHECK(m.is_up("b"));
  auto ups = all<member_up>();
  CAF_REQUIRE_EQUAL(ups.size(), 1u);
  CAF_CHECK_EQUAL(ups[0].at_ms, now + 150);
}

CAF_TEST(a_graceful_leave_marks_a_member_down_at_once) {
  connect_and_beat("b");
  drain();
  m.on_left("b", now + 10);
  auto& ev = drain();
  CAF_REQUIRE_EQUAL(ev.size(), 2u);
  auto* down = std::get_if<member_down>(&ev[0]);
  CAF_REQUIRE(down != nullptr);
  CAF_CHECK(down->reason == down_reason::left);
  CAF_CHECK(std::holds_alternative<majority_lost>(ev[1]));
  // The cluster does not shrink by a leave.
  CAF_CHECK_EQUAL(m.cluster_size(), 3u);
  CAF_CHECK(!m.next_deadline());
}

CAF_TEST(losing_and_regaining_the_majority_emits_events_with_counts) {
  connect_and_beat("b");
  connect_and_beat("c");
  drain();
  m.on_connection_lost("b", now + 1);
  CAF_CHECK(all<majority_lost>().empty()); // a and c are still 2 of 3
  m.on_connection_lost("c", now + 2);
  auto lost = all<majority_lost>();
  CAF_REQUIRE_EQUAL(lost.size(), 1u);
  CAF_CHECK_EQUAL(lost[0].live, 1u);
  CAF_CHECK_EQUAL(lost[0].cluster_size, 3u);
  CAF_CHECK_EQUAL(lost[0].at_ms, now + 2);
  CAF_CHECK(!m.has_majority());
  m.on_connected("c", now + 3);
  m.on_heartbeat("c", now + 4);
  auto back = all<majority_regained>();
  CAF_REQUIRE_EQUAL(back.size(), 1u);
  CAF_CHECK_EQUAL(back[0].at_ms, now + 4);
}

CAF_TEST(an_even_split_has_no_majority_on_either_side) {
  membership x(config_of("a", {"b", "c", "d"}));
  x.on_connected("b", now);
  x.on_heartbeat("b", now);
  CAF_CHECK_EQUAL(x.live_count(), 2u);
  CAF_CHECK(!x.has_majority()); // 2 of 4
}

CAF_TEST(a_member_beyond_the_configured_set_enlarges_the_cluster) {
  connect_and_beat("b");
  CAF_CHECK(m.has_majority());
  drain();
  m.on_connected("d", now + 1);
  // a and b are 2 of 4 now: no majority until d is up.
  auto lost = all<majority_lost>();
  CAF_REQUIRE_EQUAL(lost.size(), 1u);
  CAF_CHECK_EQUAL(lost[0].cluster_size, 4u);
  m.on_connected("e", now + 1);
  CAF_CHECK_EQUAL(m.cluster_size(), 5u);
  m.on_heartbeat("d", now + 2);
  CAF_CHECK(m.has_majority());
  // Members named only in a peer's report count too.
  m.on_heartbeat("b", now + 3, {"a", "b", "f"});
  CAF_CHECK_EQUAL(m.cluster_size(), 6u);
  CAF_CHECK(!m.has_majority()); // a, b, d: 3 of 6
}

CAF_TEST(live_members_are_sorted_and_include_self) {
  membership x(config_of("m", {"z", "b", "n"}));
  for (const char* id : {"z", "b", "n"}) {
    x.on_connected(id, now);
    x.on_heartbeat(id, now);
  }
  CAF_CHECK_EQUAL(x.live_members(), (strings{"b", "m", "n", "z"}));
  auto views = x.members();
  CAF_REQUIRE_EQUAL(views.size(), 4u);
  CAF_CHECK_EQUAL(views[1].id, "m");
  CAF_CHECK(views[1].self);
  CAF_CHECK(views[0].configured);
}

CAF_TEST(placement_adds_members_that_live_members_report) {
  connect_and_beat("b", {"a", "b", "c"});
  // a cannot reach c, but b can: c keeps its place in the placement set.
  CAF_CHECK_EQUAL(m.live_members(), (strings{"a", "b"}));
  CAF_CHECK_EQUAL(m.placement_members(), (strings{"a", "b", "c"}));
  CAF_CHECK(!m.is_up("c"));
  // Reports are replaced by every heartbeat ...
  m.on_heartbeat("b", now + 500, {"a", "b"});
  CAF_CHECK_EQUAL(m.placement_members(), (strings{"a", "b"}));
  m.on_heartbeat("b", now + 1'000, {"a", "b", "c"});
  // ... and dropped with the reporter.
  m.on_connection_lost("b", now + 1'001);
  CAF_CHECK_EQUAL(m.placement_members(), strings{"a"});
  m.on_connected("b", now + 1'002);
  m.on_heartbeat("b", now + 1'003, {"a", "b", "c"});
  m.on_tick(now + 1'003 + timeout);
  CAF_CHECK_EQUAL(m.placement_members(), strings{"a"});
}

CAF_TEST(a_heartbeat_with_our_own_id_is_reported_as_a_conflict) {
  m.on_heartbeat("a", now);
  auto conflicts = all<member_id_conflict>();
  CAF_REQUIRE_EQUAL(conflicts.size(), 1u);
  CAF_CHECK_EQUAL(conflicts[0].at_ms, now);
  CAF_CHECK_EQUAL(m.counters().id_conflicts, 1u);
  CAF_CHECK_EQUAL(m.live_count(), 1u);
  m.on_connected("a", now); // connecting to our own seed entry is ignored
  CAF_CHECK_EQUAL(m.members().size(), 3u);
}

CAF_TEST(a_clock_stepping_back_restarts_the_heartbeat_interval) {
  connect_and_beat("b");
  drain();
  m.on_tick(now - 10'000); // stepped back 10 s
  CAF_CHECK(m.is_up("b"));
  m.on_tick(now - 10'000 + timeout - 1);
  CAF_CHECK(m.is_up("b"));
  m.on_tick(now - 10'000 + timeout);
  CAF_CHECK(!m.is_up("b"));
}

CAF_TEST(unknown_members_losing_connections_or_leaving_change_nothing) {
  m.on_connection_lost("x", now);
  m.on_left("y", now);
  CAF_CHECK(drain().empty());
  CAF_CHECK_EQUAL(m.members().size(), 3u);
}

CAF_TEST_FIXTURE_SCOPE_END()
