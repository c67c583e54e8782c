#define CAF_SUITE series_windows
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "actors/windows/series_windows.hpp"
#include "window_test_points.hpp"

using namespace floe::windows;
using namespace floe::windows::testing;

namespace {

// A raw source whose storage is down.
class broken_source : public raw_point_source {
public:
  floe::result<std::vector<sample>, errc> points(uint64_t, int64_t, int64_t) override {
    return floe::make_unexpected(errc::raw_source_failed);
  }
  floe::result<std::optional<sample>, errc> last_before(uint64_t, int64_t) override {
    return floe::make_unexpected(errc::raw_source_failed);
  }
  floe::result<std::optional<sample>, errc> first_from(uint64_t, int64_t) override {
    return floe::make_unexpected(errc::raw_source_failed);
  }
};

std::vector<window_result> sorted_by_window(std::vector<window_result> v) {
  std::sort(v.begin(), v.end(), [](const window_result& a, const window_result& b) {
    return id_of(a) < id_of(b);
  });
  return v;
}

} // namespace

CAF_TEST(config_is_validated_and_normalised) {
  auto ok = make_window_config({60'000, 10'000, 60'000}, 5'000, 0);
  CAF_REQUIRE(ok.has_value());
  CAF_CHECK_EQUAL(ok->widths_ms, (std::vector<int64_t>{10'000, 60'000}));
  CAF_CHECK_EQUAL(ok->allowed_lateness_ms, 5'000);
  auto bad = [](std::vector<int64_t> w, int64_t lateness, int64_t reemit) {
    auto r = make_window_config(std::move(w), lateness, reemit);
    return r.has_value() ? errc{} : r.error();
  };
  CAF_CHECK(bad({}, 0, 0) == errc::bad_width);
  CAF_CHECK(bad({0}, 0, 0) == errc::bad_width);
  CAF_CHECK(bad({-10}, 0, 0) == errc::bad_width);
  CAF_CHECK(bad({max_width_ms + 1}, 0, 0) == errc::bad_width);
  CAF_CHECK(bad({10}, -1, 0) == errc::bad_lateness);
  CAF_CHECK(bad({10}, 0, -1) == errc::bad_lateness);
  auto defaults = default_window_config();
  CAF_CHECK_EQUAL(defaults.widths_ms, (std::vector<int64_t>{10'000, 60'000, 3'600'000}));
  CAF_CHECK_EQUAL(defaults.allowed_lateness_ms, 5'000);
}

CAF_TEST(hand_made_config_with_a_zero_width_does_not_crash) {
  window_config cfg;
  cfg.widths_ms = {0, -5, 10'000};
  cfg.allowed_lateness_ms = -3;
  memory_point_source raw;
  series_windows w{1, value_kind::numeric, cfg};
  std::vector<window_result> closed;
  w.add(num(1, 1'000, 1), 0, raw, closed);
  w.add(num(1, 10'000, 1), 0, raw, closed); // lateness clamped to 0: [0, 10 s) closes
  CAF_REQUIRE_EQUAL(closed.size(), 1u);
  CAF_CHECK_EQUAL(closed[0].width_ms, 10'000);
}

CAF_TEST(window_closes_once_when_the_watermark_passes_its_end) {
  series_feed f{1, value_kind::numeric};
  f.add(num(1, 1'000, 1));
  f.add(num(1, 3'000, 3));
  f.add(num(1, 14'000, 14)); // watermark 9 s: [0, 10 s) still open
  CAF_CHECK(f.closed.empty());
  CAF_CHECK_EQUAL(f.windows.watermark_ms(), 9'000);
  f.add(num(1, 15'000, 15)); // watermark 10 s
  CAF_REQUIRE_EQUAL(f.closed.size(), 1u);
  auto& w = f.closed[0];
  CAF_CHECK_EQUAL(w.width_ms, 10'000);
  CAF_CHECK_EQUAL(w.start_ms, 0);
  CAF_CHECK_EQUAL(w.count, 2u);
  CAF_CHECK_EQUAL(w.sum, 4.0);
  CAF_CHECK(w.final);
  CAF_CHECK(!w.recomputed);
  f.add(num(1, 16'000, 16));
  f.add(num(1, 24'000, 24));
  CAF_CHECK_EQUAL(emissions_of(f.closed, 10'000, 0), 1u);
  CAF_CHECK_EQUAL(emissions_of(f.closed, 60'000, 0), 0u);
}

CAF_TEST(open_windows_show_buffered_and_sealed_points) {
  series_feed f{1, value_kind::numeric};
  f.add(num(1, 1'000, 1));
  f.add(num(1, 9'000, 9)); // watermark 4 s: 1 s sealed, 9 s buffered
  auto views = f.windows.open_windows();
  CAF_REQUIRE_EQUAL(views.size(), 2u);
  for (auto& v : views) {
    CAF_CHECK(!v.final);
    CAF_CHECK_EQUAL(v.count, 2u);
    CAF_CHECK_EQUAL(v.sum, 10.0);
    CAF_CHECK_EQUAL(v.first, 1.0);
    CAF_CHECK_EQUAL(v.last, 9.0);
  }
  CAF_CHECK_EQUAL(views[0].width_ms, 10'000);
  CAF_CHECK_EQUAL(views[1].width_ms, 60'000);
}

CAF_TEST(out_of_order_within_lateness_gives_the_in_order_result) {
  std::vector<int64_t> sorted{1'000, 2'000, 4'000, 9'000, 11'000, 12'000, 19'000,
                              21'000, 33'000, 61'000, 62'000, 75'000};
  std::vector<int64_t> shuffled{2'000, 1'000, 9'000, 4'000, 12'000, 11'000, 21'000,
                                19'000, 33'000, 62'000, 61'000, 75'000};
  auto value = [](int64_t ts) { return std::sin(static_cast<double>(ts)) * 100; };
  for (auto kind : {value_kind::numeric, value_kind::boolean}) {
    auto point = [&](int64_t ts) {
      return kind == value_kind::numeric ? num(1, ts, value(ts)) : flag(1, ts, value(ts) > 0);
    };
    series_feed in_order{1, kind};
    series_feed out_of_order{1, kind};
    for (size_t i = 0; i < sorted.size(); ++i) {
      in_order.add(point(sorted[i]));
      auto report = out_of_order.add(point(shuffled[i]));
      CAF_CHECK_EQUAL(report.late, 0u);
    }
    CAF_CHECK(out_of_order.windows.open_windows() == in_order.windows.open_windows());
    in_order.windows.close_all(in_order.closed);
    out_of_order.windows.close_all(out_of_order.closed);
    CAF_CHECK_EQUAL(in_order.closed.size(), 8u); // 10 s: 0,10,20,30,60,70; 1 min: 0,60
    CAF_CHECK(sorted_by_window(out_of_order.closed) == sorted_by_window(in_order.closed));
  }
}

CAF_TEST(late_point_reemits_the_corrected_closed_window) {
  series_feed f{1, value_kind::numeric};
  f.add(num(1, 1'000, 1));
  f.add(num(1, 3'000, 3));
  f.add(num(1, 15'000, 15)); // closes [0, 10 s)
  CAF_REQUIRE_EQUAL(f.closed.size(), 1u);
  CAF_CHECK_EQUAL(f.closed[0].sum, 4.0);
  auto report = f.add(num(1, 5'000, 5)); // older than the watermark (10 s)
  CAF_CHECK_EQUAL(report.late, 1u);
  CAF_CHECK_EQUAL(report.accepted, 1u);
  CAF_REQUIRE_EQUAL(f.closed.size(), 2u);
  auto& again = f.closed[1];
  CAF_CHECK_EQUAL(again.start_ms, 0);
  CAF_CHECK_EQUAL(again.width_ms, 10'000);
  CAF_CHECK(again.final);
  CAF_CHECK(again.recomputed);
  CAF_CHECK_EQUAL(again.count, 3u);
  CAF_CHECK_EQUAL(again.sum, 9.0);
  CAF_CHECK_EQUAL(again.max, 5.0);
  CAF_CHECK_EQUAL(again.last, 5.0);
  CAF_CHECK_EQUAL(again.last_ts_ms, 5'000);
  // The open minute window took the late point too, without an emission.
  auto views = f.windows.open_windows();
  CAF_REQUIRE_EQUAL(views.size(), 2u);
  CAF_CHECK_EQUAL(views[1].width_ms, 60'000);
  CAF_CHECK_EQUAL(views[1].count, 4u);
  CAF_CHECK_EQUAL(views[1].sum, 24.0);
}

CAF_TEST(duplicate_point_never_changes_an_aggregate) {
  series_feed f{1, value_kind::numeric};
  f.add(num(1, 1'000, 1));
  f.add(num(1, 3'000, 3));
  f.add(num(1, 3'000, 3)); // again while buffered
  auto views = f.windows.open_windows();
  CAF_CHECK_EQUAL(views[0].count, 2u);
  CAF_CHECK_EQUAL(views[0].sum, 4.0);
  f.add(num(1, 9'000, 9));  // watermark 4 s: 1 s and 3 s sealed
  f.add(num(1, 1'000, 1));  // again, now older than the watermark
  views = f.windows.open_windows();
  CAF_CHECK_EQUAL(views[0].count, 3u);
  CAF_CHECK_EQUAL(views[0].sum, 13.0);
  f.add(num(1, 15'000, 15)); // closes [0, 10 s)
  CAF_REQUIRE_EQUAL(f.closed.size(), 1u);
  auto first = f.closed[0];
  CAF_CHECK_EQUAL(first.count, 3u);
  CAF_CHECK_EQUAL(first.sum, 13.0);
  f.add(num(1, 3'000, 3)); // again into the closed window: re-emitted unchanged
  CAF_REQUIRE_EQUAL(f.closed.size(), 2u);
  auto again = f.closed[1];
  CAF_CHECK(again.recomputed);
  again.recomputed = false;
  CAF_CHECK(again == first);
}

CAF_TEST(points_sharing_a_timestamp_differ_by_seq) {
  series_feed f{1, value_kind::numeric};
  f.add(num(1, 1'000, 1, 0));
  f.add(num(1, 1'000, 2, 1));
  f.add(num(1, 1'000, 2, 1)); // the second one again
  auto views = f.windows.open_windows();
  CAF_CHECK_EQUAL(views[0].count, 2u);
  CAF_CHECK_EQUAL(views[0].sum, 3.0);
  CAF_CHECK_EQUAL(views[0].last, 2.0);
}

CAF_TEST(historical_points_do_not_move_the_watermark_but_reopen_closed_windows) {
  series_feed f{1, value_kind::numeric};
  f.add(num(1, 1'000, 1));
  f.add(historical(num(1, 30'000, 30)));
  CAF_CHECK(f.closed.empty());
  CAF_CHECK_EQUAL(f.windows.watermark_ms(), -4'000);
  f.add(num(1, 16'000, 16)); // watermark 11 s: [0, 10 s) closes
  CAF_REQUIRE_EQUAL(f.closed.size(), 1u);
  CAF_CHECK_EQUAL(f.closed[0].count, 1u);
  auto report = f.add(historical(num(1, 2'000, 2)));
  CAF_CHECK_EQUAL(report.late, 1u);
  CAF_REQUIRE_EQUAL(f.closed.size(), 2u);
  CAF_CHECK(f.closed[1].recomputed);
  CAF_CHECK_EQUAL(f.closed[1].count, 2u);
  CAF_CHECK_EQUAL(f.closed[1].sum, 3.0);
}

CAF_TEST(boolean_time_true_spans_window_boundaries) {
  series_feed f{1, value_kind::boolean, ten_second_config()};
  f.add(flag(1, 5'000, true));
  f.add(flag(1, 25'000, false));
  f.add(flag(1, 38'000, true));
  f.add(flag(1, 52'000, false));
  f.windows.close_all(f.closed);
  auto w = latest_by_window(f.closed);
  CAF_REQUIRE_EQUAL(w.size(), 4u); // [10, 20) and [40, 50) have no points
  auto at = [&](int64_t start) { return w.at({10'000, start}); };
  CAF_CHECK_EQUAL(at(0).time_true_ms, 5'000);      // 5-10 s
  CAF_CHECK_EQUAL(at(0).changes, 0u);
  CAF_CHECK_EQUAL(at(20'000).time_true_ms, 5'000); // carried true 20-25 s
  CAF_CHECK_EQUAL(at(20'000).changes, 1u);
  CAF_CHECK_EQUAL(at(30'000).time_true_ms, 2'000); // 38-40 s
  CAF_CHECK_EQUAL(at(30'000).changes, 1u);
  CAF_CHECK_EQUAL(at(50'000).time_true_ms, 2'000); // carried true 50-52 s
  CAF_CHECK_EQUAL(at(50'000).changes, 1u);
  CAF_CHECK_EQUAL(at(50'000).last_flag, false);
}

CAF_TEST(late_boolean_point_corrects_the_carry_in_of_the_next_window) {
  series_feed f{1, value_kind::boolean, ten_second_config()};
  f.add(flag(1, 5'000, false));
  f.add(flag(1, 25'000, false));
  f.add(flag(1, 40'000, false)); // watermark 35 s: [0, 10) and [20, 30) closed
  CAF_REQUIRE_EQUAL(f.closed.size(), 2u);
  CAF_CHECK_EQUAL(f.closed[1].time_true_ms, 0);
  CAF_CHECK_EQUAL(f.closed[1].changes, 0u);
  f.add(flag(1, 8'000, true)); // late: now true from 8 s until 25 s
  auto w = latest_by_window(f.closed);
  CAF_CHECK_EQUAL(f.closed.size(), 4u);
  CAF_CHECK_EQUAL(w.at({10'000, 0}).count, 2u);
  CAF_CHECK_EQUAL(w.at({10'000, 0}).time_true_ms, 2'000);
  CAF_CHECK_EQUAL(w.at({10'000, 0}).changes, 1u);
  CAF_CHECK_EQUAL(w.at({10'000, 20'000}).time_true_ms, 5'000);
  CAF_CHECK_EQUAL(w.at({10'000, 20'000}).changes, 1u);
}

CAF_TEST(late_boolean_point_corrects_the_carry_in_of_an_open_window) {
  // Lateness 15 s: [10, 20) has sealed points while [0, 10) is already closed.
  series_feed f{1, value_kind::boolean, *make_window_config({10'000}, 15'000, 0)};
  f.add(flag(1, 1'000, false));
  f.add(flag(1, 12'000, false));
  f.add(flag(1, 29'000, false)); // watermark 14 s: [0, 10) closed, 12 s sealed, 29 s buffered
  CAF_REQUIRE_EQUAL(f.closed.size(), 1u);
  f.add(flag(1, 9'000, true));   // late: [10, 20) now carries true in
  CAF_REQUIRE_EQUAL(f.closed.size(), 2u);
  CAF_CHECK_EQUAL(f.closed[1].start_ms, 0);
  CAF_CHECK_EQUAL(f.closed[1].time_true_ms, 1'000);
  CAF_CHECK_EQUAL(f.closed[1].changes, 1u);
  auto views = f.windows.open_windows();
  CAF_REQUIRE_EQUAL(views.size(), 2u);
  CAF_CHECK_EQUAL(views[0].start_ms, 10'000);
  CAF_CHECK_EQUAL(views[0].time_true_ms, 2'000); // carried true 10-12 s
  CAF_CHECK_EQUAL(views[0].changes, 1u);
  f.windows.close_all(f.closed);
  auto w = latest_by_window(f.closed);
  CAF_CHECK_EQUAL(w.at({10'000, 10'000}).time_true_ms, 2'000);
  CAF_CHECK_EQUAL(w.at({10'000, 10'000}).changes, 1u);
  CAF_CHECK_EQUAL(w.at({10'000, 20'000}).changes, 0u);
}

CAF_TEST(late_points_of_one_batch_recompute_each_window_once) {
  series_feed f{1, value_kind::numeric};
  f.add(num(1, 1'000, 1));
  f.add(num(1, 15'000, 15));
  CAF_REQUIRE_EQUAL(f.closed.size(), 1u);
  auto report = f.add_batch({num(1, 2'000, 2), num(1, 3'000, 3), num(1, 4'000, 4)});
  CAF_CHECK_EQUAL(report.late, 3u);
  CAF_CHECK_EQUAL(emissions_of(f.closed, 10'000, 0), 2u);
  CAF_CHECK_EQUAL(f.closed.back().count, 4u);
  CAF_CHECK_EQUAL(f.closed.back().sum, 10.0);
}

CAF_TEST(processing_time_ticks_close_idle_windows) {
  series_feed f{1, value_kind::numeric};
  f.windows.advance_processing_time(1'000'000, f.closed); // no point yet: nothing
  CAF_CHECK_EQUAL(f.windows.watermark_ms(), std::numeric_limits<int64_t>::min());
  f.arrival_ms = 500'000; // processing clock unrelated to event time
  f.add(num(1, 1'000, 1));
  f.windows.advance_processing_time(500'000, f.closed); // no time passed
  f.windows.advance_processing_time(508'000, f.closed); // event clock ~9 s: watermark 4 s
  CAF_CHECK(f.closed.empty());
  f.windows.advance_processing_time(514'000, f.closed); // event clock ~15 s: watermark 10 s
  CAF_REQUIRE_EQUAL(f.closed.size(), 1u);
  CAF_CHECK_EQUAL(f.closed[0].width_ms, 10'000);
  CAF_CHECK_EQUAL(f.closed[0].count, 1u);
  f.windows.advance_processing_time(600'000, f.closed);
  CAF_CHECK_EQUAL(f.closed.size(), 2u);
  CAF_CHECK_EQUAL(f.windows.open_window_count(), 0u);
  CAF_CHECK_EQUAL(f.windows.buffered_points(), 0u);
}

CAF_TEST(close_all_emits_every_open_window_and_later_points_count_as_late) {
  series_feed f{1, value_kind::numeric};
  f.add(num(1, 1'000, 1));
  f.add(num(1, 2'000, 2));
  CAF_CHECK_EQUAL(f.windows.close_all(f.closed), 2u);
  CAF_CHECK_EQUAL(f.windows.open_window_count(), 0u);
  CAF_CHECK(f.windows.open_windows().empty());
  auto report = f.add(num(1, 3'000, 3));
  CAF_CHECK_EQUAL(report.late, 1u);
  auto latest = latest_by_window(f.closed);
  CAF_CHECK_EQUAL(latest.at({10'000, 0}).count, 3u);
  CAF_CHECK_EQUAL(latest.at({60'000, 0}).count, 3u);
}

CAF_TEST(invalid_points_are_reported_and_skipped) {
  series_feed f{1, value_kind::numeric};
  auto report = f.add_batch({num(1, 1'000, std::nan("")), num(2, 1'000, 1),
                             num(1, -5, 1), num(1, max_timestamp_ms + 1, 1),
                             flag(1, 1'000, true), num(1, 2'000, 2)});
  CAF_CHECK_EQUAL(report.accepted, 1u);
  CAF_CHECK_EQUAL(report.rejected, 5u);
  CAF_REQUIRE(report.first_error.has_value());
  CAF_CHECK(*report.first_error == errc::non_finite_value);
  auto views = f.windows.open_windows();
  CAF_REQUIRE_EQUAL(views.size(), 2u);
  CAF_CHECK_EQUAL(views[0].count, 1u);
  CAF_CHECK_EQUAL(views[0].sum, 2.0);
}

CAF_TEST(raw_source_failure_is_reported_and_leaves_windows_as_they_were) {
  broken_source broken;
  series_windows w{1, value_kind::numeric, test_config()};
  std::vector<window_result> closed;
  w.add(num(1, 1'000, 1), 0, broken, closed);
  w.add(num(1, 15'000, 15), 0, broken, closed); // on time: no raw read needed
  CAF_REQUIRE_EQUAL(closed.size(), 1u);
  auto report = w.add(num(1, 2'000, 2), 0, broken, closed);
  CAF_CHECK_EQUAL(report.late, 1u);
  CAF_CHECK_EQUAL(report.recompute_failures, 2u); // one per width
  CAF_REQUIRE(report.first_error.has_value());
  CAF_CHECK(*report.first_error == errc::raw_source_failed);
  CAF_CHECK_EQUAL(closed.size(), 1u);
  auto rebuilt = series_windows::rebuild(1, test_config(), broken, 0, closed);
  CAF_REQUIRE(!rebuilt.has_value());
  CAF_CHECK(rebuilt.error() == errc::raw_source_failed);
}

CAF_TEST(rebuild_of_a_series_without_points_gives_nothing) {
  memory_point_source raw;
  raw.put(num(2, 1'000, 1));
  std::vector<window_result> closed;
  auto rebuilt = series_windows::rebuild(1, test_config(), raw, 0, closed);
  CAF_REQUIRE(rebuilt.has_value());
  CAF_CHECK(!rebuilt->has_value());
  CAF_CHECK(closed.empty());
}

CAF_TEST(rebuild_after_restart_equals_the_uninterrupted_result) {
  for (auto kind : {value_kind::numeric, value_kind::boolean, value_kind::string}) {
    auto point = [kind](int64_t ts, uint16_t seq) {
      double v = std::cos(static_cast<double>(ts + seq) * 0.37) * 50;
      switch (kind) {
        case value_kind::numeric:
          return num(7, ts, v, seq);
        case value_kind::boolean:
          return flag(7, ts, v > 0, seq);
        default:
          return text(7, ts, v > 10 ? "high" : v < -10 ? "low" : "mid", seq);
      }
    };
    std::vector<sample> stream;
    for (int64_t ts = 0; ts < 200'000; ts += 3'700)
      stream.push_back(point(ts, 0));
    stream.push_back(point(stream.back().timestamp_ms, 1));
    auto crash_at = stream.size() / 2;
    auto cfg = test_config(60'000);
    series_feed uninterrupted{7, kind, cfg};
    series_feed before_crash{7, kind, cfg};
    for (size_t i = 0; i < crash_at; ++i) {
      uninterrupted.add(stream[i]);
      before_crash.add(stream[i]);
    }
    auto emitted_before_crash = uninterrupted.closed;
    // kill -9: only the raw points survive.
    std::vector<window_result> reemitted;
    auto rebuilt = series_windows::rebuild(7, cfg, before_crash.raw, 0, reemitted);
    CAF_REQUIRE(rebuilt.has_value() && rebuilt->has_value());
    auto& after = **rebuilt;
    CAF_CHECK(after.kind() == kind);
    CAF_CHECK_EQUAL(after.watermark_ms(), uninterrupted.windows.watermark_ms());
    CAF_CHECK(after.open_windows() == uninterrupted.windows.open_windows());
    // Windows closed within the last minute before the watermark come again, unchanged.
    CAF_CHECK(!reemitted.empty());
    auto earlier = latest_by_window(emitted_before_crash);
    for (auto r : reemitted) {
      CAF_CHECK(r.final && r.recomputed);
      CAF_CHECK_GREATER(r.end_ms, after.watermark_ms() - 60'000);
      r.recomputed = false;
      CAF_REQUIRE(earlier.count(id_of(r)) == 1);
      CAF_CHECK(r == earlier.at(id_of(r)));
    }
    // Both go on with the rest of the stream.
    uninterrupted.closed.clear();
    std::vector<window_result> closed_after;
    for (size_t i = crash_at; i < stream.size(); ++i) {
      uninterrupted.add(stream[i]);
      before_crash.raw.put(stream[i]);
      after.add(stream[i], 0, before_crash.raw, closed_after);
    }
    uninterrupted.windows.close_all(uninterrupted.closed);
    after.close_all(closed_after);
    CAF_CHECK_EQUAL(closed_after.size(), uninterrupted.closed.size());
    CAF_CHECK(closed_after == uninterrupted.closed);
  }
}
