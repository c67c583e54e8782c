#define CAF_SUITE alarm_rate_of_change
#include <caf/test/unit_test.hpp>

#include <functional>

#include "alarm_test_support.hpp"

using namespace floe::alarms;
using namespace floe::alarms::test;

namespace {

// Limit 1 unit/s measured over 10 s; clears below 0.5 unit/s.
constexpr auto rate_rule
  = R"("kind": "rate_of_change", "limit_per_s": 1, "deadband": 0.5, "span_ms": 10000)";

series_alarms rate_alarms() {
  return series_alarms{rules_from(one_rule(rate_rule, R"({"metric": "temperature_c"})")),
                       metric_key("brine-tank-1", "temperature_c"), 0};
}

// One sample per `step_ms` from `from_ms` to `to_ms` inclusive, value f(t).
std::vector<alarm_event> feed_fn(series_alarms& a, int64_t from_ms, int64_t to_ms,
                                 int64_t step_ms, const std::function<double(int64_t)>& f) {
  std::vector<alarm_event> out;
  for (auto t = from_ms; t <= to_ms; t += step_ms)
    append(out, a.on_value(t, f(t)));
  return out;
}

} // namespace

CAF_TEST(a_drift_below_the_limit_does_not_raise) {
  auto a = rate_alarms();
  // 0.8 units per second for a minute.
  auto events = feed_fn(a, 0, 60000, 1000, [](int64_t t) { return 0.8 * t / 1000.0; });
  CAF_CHECK_EQUAL(trace(events), "");
}

CAF_TEST(a_step_raises_with_the_rate_and_clears_once_the_span_has_passed_it) {
  auto a = rate_alarms();
  auto events = feed_fn(a, 0, 30000, 1000, [](int64_t t) { return t < 11000 ? 0.0 : 15.0; });
  // At 11 s the reference (1 s) is 0: 15 units over 10 s. At 21 s the reference is the step.
  CAF_CHECK_EQUAL(trace(events),
                  "raised unack_active @11000 =1.5; cleared unack_cleared @21000 =0");
}

CAF_TEST(a_step_smaller_than_limit_times_span_does_not_raise) {
  auto a = rate_alarms();
  auto events = feed_fn(a, 0, 30000, 1000, [](int64_t t) { return t < 11000 ? 0.0 : 9.0; });
  CAF_CHECK_EQUAL(trace(events), "");
}

CAF_TEST(falling_values_count_like_rising_ones) {
  auto a = rate_alarms();
  auto events = feed_fn(a, 0, 15000, 1000, [](int64_t t) { return -2.0 * t / 1000.0; });
  CAF_CHECK_EQUAL(trace(events), "raised unack_active @10000 =2");
}

CAF_TEST(nothing_is_judged_before_the_history_covers_one_span) {
  auto a = rate_alarms();
  // 100 units within the first second: a huge rate, but no span of history yet.
  CAF_CHECK_EQUAL(trace(feed(a, {{0, 0}, {500, 50}, {1000, 100}, {9999, 100}})), "");
  CAF_CHECK_EQUAL(trace(a.on_value(10000, 100)), "raised unack_active @10000 =10");
}

CAF_TEST(sparse_samples_average_over_the_time_since_the_reference) {
  auto a = rate_alarms();
  CAF_CHECK_EQUAL(trace(feed(a, {{0, 0}, {60000, 30}})), ""); // 0.5 per second
  CAF_CHECK_EQUAL(trace(a.on_value(61000, 70)), "raised unack_active @61000 =1.14754");
}

CAF_TEST(fast_samples_beyond_the_history_cap_are_still_judged_over_a_span) {
  auto a = rate_alarms();
  // 100 samples per second, far more than the history keeps per span: 0.5/s, then 3/s.
  auto slow = feed_fn(a, 0, 30000, 10, [](int64_t t) { return 0.5 * t / 1000.0; });
  CAF_CHECK_EQUAL(trace(slow), "");
  auto fast = feed_fn(a, 30010, 45000, 10,
                      [](int64_t t) { return 15.0 + 3.0 * (t - 30000) / 1000.0; });
  CAF_REQUIRE(!fast.empty());
  CAF_CHECK(fast.front().what == transition::raised);
  CAF_CHECK_GREATER(*fast.front().value, 1.0);
  CAF_CHECK_EQUAL(fast.size(), 1u);
}

CAF_TEST(going_offline_forgets_the_history) {
  auto a = rate_alarms();
  CAF_CHECK_EQUAL(trace(feed(a, {{0, 0}, {10000, 0}})), "");
  a.on_offline(11000);
  a.on_online(50000);
  // Against the pre-offline reading this would be 40 units in 40 s; there is no reference yet.
  CAF_CHECK_EQUAL(trace(feed(a, {{50000, 40}, {55000, 40}})), "");
  CAF_CHECK_EQUAL(trace(a.on_value(60000, 55)), "raised unack_active @60000 =1.5");
}

CAF_TEST(rate_rules_ignore_bad_quality_samples) {
  auto a = rate_alarms();
  CAF_CHECK_EQUAL(trace(feed(a, {{0, 0}, {10000, 0}})), "");
  CAF_CHECK_EQUAL(trace(a.on_value(11000, 500, quality_bad)), "");
  CAF_CHECK_EQUAL(trace(a.on_value(12000, 1)), "");
}
