#define CAF_SUITE window_aggregate
#include <caf/test/unit_test.hpp>

#include <cmath>
#include <vector>

#include "actors/windows/window_aggregate.hpp"
#include "window_test_points.hpp"

using namespace floe::windows;
using namespace floe::windows::testing;

namespace {

window_aggregate numeric_of(const std::vector<double>& values, int64_t first_ts = 1000) {
  window_aggregate acc{value_kind::numeric};
  int64_t ts = first_ts;
  for (auto v : values) {
    auto r = acc.add(num(1, ts, v));
    CAF_REQUIRE(r.has_value());
    ts += 1000;
  }
  return acc;
}

bool near(double a, double b, double tolerance) {
  return std::fabs(a - b) <= tolerance;
}

} // namespace

CAF_TEST(numeric_aggregates_of_known_values_are_exact) {
  auto acc = numeric_of({2, 4, 4, 4, 5, 5, 7, 9});
  auto r = acc.finish(1, 10'000, 0, nullptr, 10'000);
  CAF_CHECK_EQUAL(r.count, 8u);
  CAF_CHECK_EQUAL(r.min, 2.0);
  CAF_CHECK_EQUAL(r.max, 9.0);
  CAF_CHECK_EQUAL(r.sum, 40.0);
  CAF_CHECK(near(r.mean, 5.0, 1e-12));
  CAF_CHECK(near(r.stddev, 2.0, 1e-12)); // population: sqrt(32 / 8)
  CAF_CHECK_EQUAL(r.first, 2.0);
  CAF_CHECK_EQUAL(r.last, 9.0);
  CAF_CHECK_EQUAL(r.first_ts_ms, 1000);
  CAF_CHECK_EQUAL(r.last_ts_ms, 8000);
  CAF_CHECK_EQUAL(r.start_ms, 0);
  CAF_CHECK_EQUAL(r.end_ms, 10'000);
}

CAF_TEST(single_point_has_zero_stddev) {
  auto r = numeric_of({42.5}).finish(1, 10'000, 0, nullptr, 10'000);
  CAF_CHECK_EQUAL(r.count, 1u);
  CAF_CHECK_EQUAL(r.mean, 42.5);
  CAF_CHECK_EQUAL(r.stddev, 0.0);
  CAF_CHECK_EQUAL(r.first, 42.5);
  CAF_CHECK_EQUAL(r.last, 42.5);
}

CAF_TEST(first_and_last_follow_event_time_not_arrival_order) {
  window_aggregate acc{value_kind::numeric};
  CAF_CHECK(acc.add(num(1, 3000, 30)).has_value());
  CAF_CHECK(acc.add(num(1, 1000, 10, 1)).has_value());
  CAF_CHECK(acc.add(num(1, 1000, 11, 0)).has_value()); // same time, lower seq: earlier
  CAF_CHECK(acc.add(num(1, 2000, 20)).has_value());
  auto r = acc.finish(1, 10'000, 0, nullptr, 10'000);
  CAF_CHECK_EQUAL(r.first, 11.0);
  CAF_CHECK_EQUAL(r.first_ts_ms, 1000);
  CAF_CHECK_EQUAL(r.last, 30.0);
  CAF_CHECK_EQUAL(r.last_ts_ms, 3000);
}

CAF_TEST(stddev_stays_accurate_far_from_zero) {
  // Deviations -6, -3, 3, 6 around the mean: population variance 90 / 4 = 22.5. The textbook
  // E[x^2] - E[x]^2 loses every digit here (x^2 ~ 1e18, one ulp ~ 128).
  const double expected = std::sqrt(22.5);
  for (double offset : {1e9, 1e12}) {
    auto r = numeric_of({offset + 4, offset + 7, offset + 13, offset + 16})
               .finish(1, 10'000, 0, nullptr, 10'000);
    CAF_CHECK(near(r.stddev, expected, 1e-6));
    CAF_CHECK_EQUAL(r.mean, offset + 10);
  }
}

CAF_TEST(compensated_sum_keeps_small_terms) {
  // Plain double addition gives 0: each 1 vanishes against 1e16 (one ulp there is 2).
  auto r = numeric_of({1e16, 1, 1, 1, 1, -1e16}).finish(1, 10'000, 0, nullptr, 10'000);
  CAF_CHECK_EQUAL(r.sum, 4.0);
}

CAF_TEST(merge_equals_adding_all_points) {
  std::vector<double> values{3.5, -1.25, 8, 8, 0.5, 12, -7.75, 2, 6.5, 1};
  auto whole = numeric_of(values).finish(1, 60'000, 0, nullptr, 60'000);
  auto first_half = numeric_of({values.begin(), values.begin() + 4}, 1000);
  auto second_half = numeric_of({values.begin() + 4, values.end()}, 5000);
  // Merge in both directions: first/last still follow event time.
  for (int direction = 0; direction < 2; ++direction) {
    auto a = direction == 0 ? first_half : second_half;
    auto b = direction == 0 ? second_half : first_half;
    CAF_REQUIRE(a.merge(b).has_value());
    auto r = a.finish(1, 60'000, 0, nullptr, 60'000);
    CAF_CHECK_EQUAL(r.count, whole.count);
    CAF_CHECK_EQUAL(r.min, whole.min);
    CAF_CHECK_EQUAL(r.max, whole.max);
    CAF_CHECK_EQUAL(r.sum, whole.sum);
    CAF_CHECK(near(r.mean, whole.mean, 1e-12));
    CAF_CHECK(near(r.stddev, whole.stddev, 1e-12));
    CAF_CHECK_EQUAL(r.first, 3.5);
    CAF_CHECK_EQUAL(r.last, 1.0);
    CAF_CHECK_EQUAL(r.first_ts_ms, whole.first_ts_ms);
    CAF_CHECK_EQUAL(r.last_ts_ms, whole.last_ts_ms);
  }
}

CAF_TEST(boolean_changes_and_time_true_use_the_carried_in_value) {
  window_aggregate acc{value_kind::boolean};
  for (auto s : {flag(1, 12'000, false), flag(1, 14'000, true), flag(1, 17'000, true),
                 flag(1, 19'000, false)})
    CAF_REQUIRE(acc.add(s).has_value());
  auto carry = flag(1, 5'000, true);
  auto r = acc.finish(1, 10'000, 10'000, &carry, 20'000);
  CAF_CHECK_EQUAL(r.count, 4u);
  CAF_CHECK_EQUAL(r.changes, 3u);          // carried true->false, false->true, true->false
  CAF_CHECK_EQUAL(r.time_true_ms, 7'000);  // 10-12 s carried, 14-19 s
  CAF_CHECK_EQUAL(r.last_flag, false);
  CAF_CHECK_EQUAL(r.first_ts_ms, 12'000);
  CAF_CHECK_EQUAL(r.last_ts_ms, 19'000);
}

CAF_TEST(boolean_without_carry_in_counts_from_the_first_point) {
  window_aggregate acc{value_kind::boolean};
  for (auto s : {flag(1, 12'000, true), flag(1, 15'000, false), flag(1, 18'000, true)})
    CAF_REQUIRE(acc.add(s).has_value());
  auto r = acc.finish(1, 10'000, 10'000, nullptr, 20'000);
  CAF_CHECK_EQUAL(r.changes, 2u);
  CAF_CHECK_EQUAL(r.time_true_ms, 5'000); // 12-15 s, 18-20 s
  CAF_CHECK_EQUAL(r.last_flag, true);
  // An open window counts the last value only up to the given time, never past its end.
  CAF_CHECK_EQUAL(acc.finish(1, 10'000, 10'000, nullptr, 19'000).time_true_ms, 4'000);
  CAF_CHECK_EQUAL(acc.finish(1, 10'000, 10'000, nullptr, 99'000).time_true_ms, 5'000);
  CAF_CHECK_EQUAL(acc.finish(1, 10'000, 10'000, nullptr, 0).time_true_ms, 3'000);
}

CAF_TEST(string_counts_changes_and_keeps_the_last_value) {
  window_aggregate acc{value_kind::string};
  for (auto s : {text(1, 1'000, "a"), text(1, 2'000, "b"), text(1, 3'000, "b"),
                 text(1, 4'000, "c")})
    CAF_REQUIRE(acc.add(s).has_value());
  auto same_carry = text(1, -1, "a");
  auto r = acc.finish(1, 10'000, 0, &same_carry, 10'000);
  CAF_CHECK_EQUAL(r.count, 4u);
  CAF_CHECK_EQUAL(r.changes, 2u);
  CAF_CHECK_EQUAL(r.last_text, "c");
  auto other_carry = text(1, -1, "z");
  CAF_CHECK_EQUAL(acc.finish(1, 10'000, 0, &other_carry, 10'000).changes, 3u);
}

CAF_TEST(merge_of_boolean_accumulators_counts_the_boundary) {
  auto points = std::vector<sample>{flag(1, 12'000, true), flag(1, 13'000, false),
                                    flag(1, 15'000, true), flag(1, 18'000, true)};
  window_aggregate whole{value_kind::boolean};
  window_aggregate a{value_kind::boolean};
  window_aggregate b{value_kind::boolean};
  for (size_t i = 0; i < points.size(); ++i) {
    CAF_REQUIRE(whole.add(points[i]).has_value());
    CAF_REQUIRE((i < 2 ? a : b).add(points[i]).has_value());
  }
  CAF_REQUIRE(a.merge(b).has_value());
  auto merged = a.finish(1, 10'000, 10'000, nullptr, 20'000);
  CAF_CHECK_EQUAL(merged.changes, 2u);
  CAF_CHECK_EQUAL(merged.time_true_ms, 6'000); // 12-13 s, 15-20 s
  CAF_CHECK(merged == whole.finish(1, 10'000, 10'000, nullptr, 20'000));
}

CAF_TEST(overlapping_boolean_merge_is_refused_and_changes_nothing) {
  window_aggregate a{value_kind::boolean};
  window_aggregate b{value_kind::boolean};
  CAF_REQUIRE(a.add(flag(1, 15'000, true)).has_value());
  CAF_REQUIRE(b.add(flag(1, 12'000, false)).has_value());
  auto before = a.finish(1, 10'000, 10'000, nullptr, 20'000);
  auto r = a.merge(b);
  CAF_REQUIRE(!r.has_value());
  CAF_CHECK(r.error() == errc::out_of_order);
  CAF_CHECK(a.finish(1, 10'000, 10'000, nullptr, 20'000) == before);
}

CAF_TEST(out_of_order_or_repeated_boolean_point_is_refused) {
  window_aggregate acc{value_kind::boolean};
  CAF_REQUIRE(acc.add(flag(1, 5'000, true)).has_value());
  auto earlier = acc.add(flag(1, 4'000, false));
  CAF_REQUIRE(!earlier.has_value());
  CAF_CHECK(earlier.error() == errc::out_of_order);
  auto same = acc.add(flag(1, 5'000, false));
  CAF_REQUIRE(!same.has_value());
  CAF_CHECK(same.error() == errc::out_of_order);
  CAF_CHECK_EQUAL(acc.count(), 1u);
}

CAF_TEST(invalid_points_are_refused) {
  window_aggregate acc{value_kind::numeric};
  auto nan = acc.add(num(1, 1000, std::nan("")));
  CAF_REQUIRE(!nan.has_value());
  CAF_CHECK(nan.error() == errc::non_finite_value);
  auto inf = acc.add(num(1, 1000, HUGE_VAL));
  CAF_REQUIRE(!inf.has_value());
  CAF_CHECK(inf.error() == errc::non_finite_value);
  auto wrong_kind = acc.add(flag(1, 1000, true));
  CAF_REQUIRE(!wrong_kind.has_value());
  CAF_CHECK(wrong_kind.error() == errc::kind_mismatch);
  CAF_CHECK_EQUAL(acc.count(), 0u);
  window_aggregate other{value_kind::string};
  auto m = acc.merge(other);
  CAF_REQUIRE(!m.has_value());
  CAF_CHECK(m.error() == errc::kind_mismatch);
}
