// The fixture's request<T>() needs FAIL with caf/test/dsl.hpp in CAF 0.17.6.
#define FAIL(msg) CAF_FAIL(msg)
#define CAF_SUITE window_aggregator
#include <caf/test/dsl.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "actors/windows/window_aggregator.hpp"
#include "window_test_points.hpp"

using namespace floe::windows;
using namespace floe::windows::testing;
using namespace std::chrono_literals;

namespace {

struct collector_state {
  static inline const char* name = "window_collector";
  std::string label;
  std::vector<window_result> windows;
  size_t batches = 0;
};

// Takes an argument because CAF 0.17.6 dereferences a null argument tuple when spawning a
// function without arguments (harmless, but UBSan in FLOE_SANITIZE builds aborts on it).
window_sink_actor::behavior_type
collector(window_sink_actor::stateful_pointer<collector_state> self, std::string label) {
  self->state.label = std::move(label);
  return {
    [=](closed_windows& batch) {
      ++self->state.batches;
      for (auto& w : batch.windows)
        self->state.windows.push_back(std::move(w));
    },
  };
}

struct config : caf::actor_system_config {
  config() {
    add_window_message_types(*this);
  }
};

struct fixture : test_coordinator_fixture<config> {
  std::shared_ptr<memory_point_source> raw = std::make_shared<memory_point_source>();
  window_sink_actor sink;
  window_aggregator_actor agg;

  fixture() {
    sink = sys.spawn(collector, std::string{"sink"});
    agg = spawn_aggregator(0);
    sched.run();
  }

  window_aggregator_actor spawn_aggregator(int64_t tick_interval_ms,
                                           uint64_t fresh_series_from = UINT64_MAX) {
    aggregator_setup setup;
    setup.fresh_series_from = fresh_series_from;
    setup.config = test_config(60'000);
    setup.raw = raw;
    setup.sink = sink;
    setup.tick_interval_ms = tick_interval_ms;
    auto spawned = spawn_window_aggregator(sys, std::move(setup));
    CAF_REQUIRE(spawned.has_value());
    return *spawned;
  }

  // As in the node: the store holds the points before the aggregator gets them.
  void deliver(const std::vector<sample>& points, const window_aggregator_actor& to) {
    for (auto& p : points)
      raw->put(p);
    self->send(to, point_batch{points, {}});
    sched.run();
  }
  void deliver(const std::vector<sample>& points) {
    deliver(points, agg);
  }

  collector_state& sunk() {
    return deref<window_sink_actor::stateful_base<collector_state>>(sink).state;
  }

  aggregator_stats stats_of(const window_aggregator_actor& a) {
    return request<aggregator_stats>(a, stats_atom::value);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(window_aggregator_tests, fixture)

CAF_TEST(points_of_several_series_close_windows_into_the_sink) {
  deliver({num(1, 1'000, 1), flag(2, 2'000, true), num(1, 3'000, 3), flag(2, 4'000, false)});
  CAF_CHECK(sunk().windows.empty());
  deliver({num(1, 16'000, 16), flag(2, 17'000, false)}); // both watermarks pass 10 s
  auto& got = sunk().windows;
  CAF_REQUIRE_EQUAL(got.size(), 2u);
  CAF_CHECK_EQUAL(sunk().batches, 1u);
  for (auto& w : got) {
    CAF_CHECK(w.final);
    CAF_CHECK_EQUAL(w.width_ms, 10'000);
    CAF_CHECK_EQUAL(w.count, 2u);
    if (w.series_id == 1) {
      CAF_CHECK_EQUAL(w.sum, 4.0);
    } else {
      CAF_CHECK_EQUAL(w.series_id, 2u);
      CAF_CHECK_EQUAL(w.changes, 1u);
      CAF_CHECK_EQUAL(w.time_true_ms, 2'000);
    }
  }
  auto st = stats_of(agg);
  CAF_CHECK_EQUAL(st.series, 2u);
  CAF_CHECK_EQUAL(st.points_accepted, 6u);
  CAF_CHECK_EQUAL(st.windows_emitted, 2u);
  CAF_CHECK_EQUAL(st.open_windows, 4u); // per series: [10 s, 20 s) and [0, 1 min)
}

CAF_TEST(late_point_reemits_the_corrected_window) {
  deliver({num(1, 1'000, 1)});
  deliver({num(1, 15'000, 15)});
  CAF_REQUIRE_EQUAL(sunk().windows.size(), 1u);
  deliver({num(1, 2'000, 2)});
  auto& got = sunk().windows;
  CAF_REQUIRE_EQUAL(got.size(), 2u);
  CAF_CHECK(got[1].recomputed);
  CAF_CHECK_EQUAL(got[1].count, 2u);
  CAF_CHECK_EQUAL(got[1].sum, 3.0);
  CAF_CHECK_EQUAL(stats_of(agg).points_late, 1u);
}

CAF_TEST(query_returns_the_open_windows_of_a_series) {
  deliver({num(1, 1'000, 1), num(1, 2'000, 2), num(1, 2'000, 2)});
  auto views = request<std::vector<window_result>>(agg, caf::get_atom::value, uint64_t{1});
  CAF_REQUIRE_EQUAL(views.size(), 2u);
  for (auto& v : views) {
    CAF_CHECK(!v.final);
    CAF_CHECK_EQUAL(v.count, 2u);
    CAF_CHECK_EQUAL(v.sum, 3.0);
  }
  auto none = request<std::vector<window_result>>(agg, caf::get_atom::value, uint64_t{99});
  CAF_CHECK(none.empty());
}

CAF_TEST(ticks_close_the_windows_of_idle_series) {
  deliver({num(1, 1'000, 1)});
  self->send(agg, caf::tick_atom::value);
  sched.run();
  CAF_CHECK(sunk().windows.empty());
  advance_time(14s); // event clock of series 1 now ~15 s: watermark 10 s
  self->send(agg, caf::tick_atom::value);
  sched.run();
  CAF_REQUIRE_EQUAL(sunk().windows.size(), 1u);
  CAF_CHECK_EQUAL(sunk().windows[0].width_ms, 10'000);
  advance_time(60s);
  self->send(agg, caf::tick_atom::value);
  sched.run();
  CAF_CHECK_EQUAL(sunk().windows.size(), 2u);
}

CAF_TEST(own_tick_closes_idle_windows_without_outside_ticks) {
  auto ticking = spawn_aggregator(1'000);
  sched.run();
  deliver({num(5, 1'000, 1)}, ticking);
  for (int i = 0; i < 16; ++i) {
    advance_time(1s); // fires the due own tick
    sched.run();
  }
  CAF_CHECK_EQUAL(sunk().windows.size(), 1u);
  // An outside tick does not start a second timer: still one pending timeout.
  self->send(ticking, caf::tick_atom::value);
  sched.run();
  CAF_CHECK_EQUAL(sched.clock().schedule().size(), 1u);
  caf::anon_send_exit(ticking, caf::exit_reason::user_shutdown);
  sched.run();
}

CAF_TEST(flush_closes_every_open_window) {
  deliver({num(1, 1'000, 1), num(2, 1'000, 2)});
  deliver({num(2, 70'000, 3)}); // closes [0, 10 s) and [0, 1 min) of series 2
  CAF_CHECK_EQUAL(sunk().windows.size(), 2u);
  auto closed = request<uint64_t>(agg, caf::flush_atom::value);
  CAF_CHECK_EQUAL(closed, 4u); // both widths of series 1 and of series 2
  CAF_CHECK_EQUAL(sunk().windows.size(), 6u);
  for (auto& w : sunk().windows)
    CAF_CHECK(w.final);
  CAF_CHECK_EQUAL(stats_of(agg).open_windows, 0u);
}

CAF_TEST(restarted_aggregator_continues_from_raw_points) {
  deliver({num(1, 1'000, 1), num(1, 2'000, 2), num(1, 9'000, 9)});
  // kill -9 of the node: the aggregator's memory is gone, the raw points are not.
  caf::anon_send_exit(agg, caf::exit_reason::kill);
  sched.run();
  auto restarted = spawn_aggregator(0);
  sched.run();
  deliver({num(1, 15'000, 15)}, restarted); // the first point rebuilds series 1
  auto& got = sunk().windows; // [0, 10 s), closed by the rebuilt watermark
  CAF_REQUIRE_EQUAL(got.size(), 1u);
  CAF_CHECK_EQUAL(got[0].width_ms, 10'000);
  CAF_CHECK_EQUAL(got[0].count, 3u);
  CAF_CHECK_EQUAL(got[0].sum, 12.0);
  auto st = stats_of(restarted);
  CAF_CHECK_EQUAL(st.rebuilds, 1u);
  CAF_CHECK_EQUAL(st.points_late, 0u);
}

CAF_TEST(rebuild_request_restores_series_that_get_no_new_point) {
  raw->put(num(3, 1'000, 1));
  raw->put(num(3, 4'000, 4));
  raw->put(num(4, 2'000, 2));
  auto held = request<uint64_t>(agg, rebuild_atom::value, std::vector<uint64_t>{3, 4, 5});
  CAF_CHECK_EQUAL(held, 2u); // series 5 has no raw point
  auto views = request<std::vector<window_result>>(agg, caf::get_atom::value, uint64_t{3});
  CAF_REQUIRE_EQUAL(views.size(), 2u);
  CAF_CHECK_EQUAL(views[0].count, 2u);
  advance_time(30s);
  self->send(agg, caf::tick_atom::value);
  sched.run();
  CAF_CHECK_EQUAL(sunk().windows.size(), 2u); // [0, 10 s) of series 3 and 4
}

CAF_TEST(kind_change_closes_the_old_windows) {
  deliver({num(1, 1'000, 1)});
  deliver({flag(1, 2'000, true)});
  auto& got = sunk().windows;
  CAF_REQUIRE_EQUAL(got.size(), 2u);
  CAF_CHECK(got[0].kind == value_kind::numeric);
  auto views = request<std::vector<window_result>>(agg, caf::get_atom::value, uint64_t{1});
  CAF_REQUIRE_EQUAL(views.size(), 2u);
  CAF_CHECK(views[0].kind == value_kind::boolean);
  CAF_CHECK_EQUAL(stats_of(agg).kind_changes, 1u);
}

CAF_TEST(invalid_points_are_counted_not_fatal) {
  deliver({num(1, 1'000, std::nan("")), num(1, -1, 1), num(1, 2'000, 2)});
  auto st = stats_of(agg);
  CAF_CHECK_EQUAL(st.points_rejected, 2u);
  CAF_CHECK_EQUAL(st.points_accepted, 1u);
}

CAF_TEST(spawning_without_raw_source_or_with_a_bad_config_is_refused) {
  aggregator_setup setup;
  setup.sink = sink;
  auto spawned = spawn_window_aggregator(sys, setup);
  CAF_REQUIRE(!spawned.has_value());
  CAF_CHECK(spawned.error() == errc::missing_raw_source);
  setup.raw = raw;
  setup.config.widths_ms = {0};
  auto zero_width = spawn_window_aggregator(sys, setup);
  CAF_REQUIRE(!zero_width.has_value());
  CAF_CHECK(zero_width.error() == errc::bad_width);
}

CAF_TEST(messages_survive_serialization) {
  closed_windows batch;
  auto w = num(1, 1'000, 1.5);
  batch.windows.push_back(window_result{});
  batch.windows[0].series_id = 9;
  batch.windows[0].kind = value_kind::string;
  batch.windows[0].last_text = "on";
  batch.windows[0].stddev = 0.25;
  CAF_CHECK(roundtrip(batch) == batch);
  point_batch points{{w, text(2, 3, "x", 4), historical(flag(3, 5, true))}, {}};
  CAF_CHECK(roundtrip(points) == points);
}

CAF_TEST(shards_spread_series_over_every_aggregator) {
  std::vector<size_t> per_shard(4, 0);
  for (uint64_t id = 0; id < 4000; ++id)
    ++per_shard[shard_of(id, 4)];
  for (auto n : per_shard) {
    CAF_CHECK_GREATER(n, 800u);
    CAF_CHECK_LESS(n, 1200u);
  }
  CAF_CHECK_EQUAL(shard_of(17, 1), 0u);
  CAF_CHECK_EQUAL(shard_of(17, 0), 0u);
}

CAF_TEST(series_assigned_after_start_begin_empty_and_older_ones_are_rebuilt) {
  // Raw points the aggregator never saw: history of series 4 (known at start) and a stray point
  // under series 7, which is "fresh" (assigned in this run) and therefore cannot have history.
  raw->put(num(4, 1'000, 10));
  raw->put(num(7, 1'000, 10));
  auto fresh_aware = spawn_aggregator(0, 5);
  sched.run();
  deliver({num(4, 2'000, 20), num(7, 2'000, 20)}, fresh_aware);
  auto old_series = request<std::vector<window_result>>(fresh_aware, caf::get_atom::value,
                                                        uint64_t{4});
  auto new_series = request<std::vector<window_result>>(fresh_aware, caf::get_atom::value,
                                                        uint64_t{7});
  CAF_REQUIRE(!old_series.empty());
  CAF_REQUIRE(!new_series.empty());
  CAF_CHECK_EQUAL(old_series[0].count, 2u); // rebuilt: 10 from raw, then 20
  CAF_CHECK_EQUAL(new_series[0].count, 1u); // started empty: only 20
  CAF_CHECK_EQUAL(stats_of(fresh_aware).rebuilds, 1u);
}

CAF_TEST(many_series_are_each_found_again) {
  // Enough series for several chunks and index growths of the aggregator's table, with ids
  // that collide in the low bits; one changes its kind halfway.
  auto fresh = spawn_aggregator(0, 0);
  sched.run();
  std::vector<sample> batch;
  for (uint64_t i = 0; i < 1'000; ++i)
    batch.push_back(num(i * 1'024, 1'000, static_cast<double>(i)));
  deliver(batch, fresh);
  deliver({flag(512 * 1'024, 2'000, true)}, fresh);
  batch.clear();
  for (uint64_t i = 0; i < 1'000; ++i)
    batch.push_back(num(i * 1'024, 3'000, 1));
  batch.erase(batch.begin() + 512);
  deliver(batch, fresh);
  auto st = stats_of(fresh);
  CAF_CHECK_EQUAL(st.series, 1'000u);
  CAF_CHECK_EQUAL(st.kind_changes, 1u);
  CAF_CHECK_EQUAL(st.points_accepted, 2'000u);
  for (uint64_t i : {uint64_t{0}, uint64_t{1}, uint64_t{63}, uint64_t{64}, uint64_t{511},
                     uint64_t{512}, uint64_t{513}, uint64_t{999}}) {
    auto views = request<std::vector<window_result>>(fresh, caf::get_atom::value, i * 1'024);
    CAF_REQUIRE_EQUAL(views.size(), 2u);
    if (i == 512) {
      CAF_CHECK(views[0].kind == value_kind::boolean);
      CAF_CHECK_EQUAL(views[0].count, 1u);
    } else {
      CAF_CHECK_EQUAL(views[0].count, 2u);
      CAF_CHECK_EQUAL(views[0].sum, static_cast<double>(i) + 1);
    }
  }
  CAF_CHECK(request<std::vector<window_result>>(fresh, caf::get_atom::value, uint64_t{1})
              .empty());
  CAF_CHECK_EQUAL(stats_of(fresh).series, 1'000u); // asking for an unknown series adds none
}

CAF_TEST_FIXTURE_SCOPE_END()
