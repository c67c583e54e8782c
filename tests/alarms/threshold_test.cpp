#define CAF_SUITE alarm_threshold
#include <caf/test/unit_test.hpp>

#include <cmath>
#include <limits>

#include "actors/alarms/reading.hpp"
#include "alarm_test_support.hpp"

using namespace floe::alarms;
using namespace floe::alarms::test;

namespace {

series_alarms ppm_alarms(std::string_view rule_body) {
  return series_alarms{rules_from(one_rule(rule_body)), metric_key("nh3-detector-1", "ppm"), 0};
}

} // namespace

CAF_TEST(high_raises_at_the_threshold_and_clears_below_threshold_minus_deadband) {
  auto a = ppm_alarms(R"("kind": "high", "threshold": 25, "deadband": 2)");
  CAF_CHECK_EQUAL(trace(feed(a, {{1000, 10}, {2000, 24.9}})), "");
  CAF_CHECK_EQUAL(trace(a.on_value(3000, 25)), "raised unack_active @3000 =25");
  CAF_CHECK_EQUAL(trace(feed(a, {{4000, 30}, {5000, 23}})), ""); // 23 is inside the band
  CAF_CHECK_EQUAL(trace(a.on_value(6000, 22.9)), "cleared unack_cleared @6000 =22.9");
}

CAF_TEST(low_raises_at_the_threshold_and_clears_above_threshold_plus_deadband) {
  auto a = ppm_alarms(R"("kind": "low", "threshold": 20, "deadband": 5)");
  CAF_CHECK_EQUAL(trace(feed(a, {{1000, 50}, {2000, 20.1}})), "");
  CAF_CHECK_EQUAL(trace(a.on_value(3000, 20)), "raised unack_active @3000 =20");
  CAF_CHECK_EQUAL(trace(a.on_value(4000, 25)), "");
  CAF_CHECK_EQUAL(trace(a.on_value(5000, 25.5)), "cleared unack_cleared @5000 =25.5");
}

CAF_TEST(deadband_prevents_chatter_around_the_threshold) {
  // A noisy reading hovering around 25 ppm.
  std::initializer_list<std::pair<int64_t, double>> noisy
    = {{1000, 24.6}, {2000, 25.3}, {3000, 24.7}, {4000, 25.1}, {5000, 24.2},
       {6000, 25.4}, {7000, 24.8}, {8000, 25.2}, {9000, 24.5}, {10000, 22.5}};
  auto without = ppm_alarms(R"("kind": "high", "threshold": 25)");
  auto chatter = feed(without, noisy);
  CAF_CHECK_EQUAL(chatter.size(), 8u); // every crossing raises or clears
  auto with = ppm_alarms(R"("kind": "high", "threshold": 25, "deadband": 2)");
  CAF_CHECK_EQUAL(trace(feed(with, noisy)),
                  "raised unack_active @2000 =25.3; cleared unack_cleared @10000 =22.5");
}

CAF_TEST(raise_delay_suppresses_a_short_spike) {
  auto a = ppm_alarms(R"("kind": "high", "threshold": 25, "raise_delay_ms": 5000)");
  auto events = feed(a, {{1000, 10}, {2000, 40}, {3000, 45}, {4000, 10}});
  append(events, a.on_tick(20000));
  CAF_CHECK_EQUAL(trace(events), "");
  CAF_CHECK(!a.next_deadline());
}

CAF_TEST(raise_delay_raises_once_the_condition_held_long_enough) {
  auto a = ppm_alarms(R"("kind": "high", "threshold": 25, "raise_delay_ms": 5000)");
  CAF_CHECK_EQUAL(trace(feed(a, {{1000, 10}, {2000, 40}, {3000, 45}})), "");
  CAF_CHECK_EQUAL(a.next_deadline(), std::optional<int64_t>{7000});
  CAF_CHECK_EQUAL(trace(a.on_tick(6999)), "");
  // Stamped when the delay was met; the value is the one held at that moment.
  CAF_CHECK_EQUAL(trace(a.on_tick(7500)), "raised unack_active @7000 =45");
  CAF_CHECK(!a.next_deadline());
}

CAF_TEST(a_value_inside_the_band_restarts_the_raise_delay) {
  auto a = ppm_alarms(R"("kind": "high", "threshold": 25, "deadband": 2, "raise_delay_ms": 5000)");
  CAF_CHECK_EQUAL(trace(feed(a, {{1000, 30}, {4000, 24}, {5000, 30}})), "");
  CAF_CHECK_EQUAL(a.next_deadline(), std::optional<int64_t>{10000});
  CAF_CHECK_EQUAL(trace(a.on_tick(10000)), "raised unack_active @10000 =30");
}

CAF_TEST(clear_delay_keeps_the_alarm_through_a_short_dip) {
  auto a = ppm_alarms(R"("kind": "high", "threshold": 25, "clear_delay_ms": 3000)");
  CAF_CHECK_EQUAL(trace(a.on_value(1000, 30)), "raised unack_active @1000 =30");
  CAF_CHECK_EQUAL(trace(feed(a, {{2000, 20}, {3000, 21}, {4000, 28}})), "");
  CAF_CHECK_EQUAL(trace(a.on_tick(9000)), ""); // the dip ended before its delay
  CAF_CHECK_EQUAL(trace(a.on_value(10000, 20)), "");
  CAF_CHECK_EQUAL(trace(a.on_tick(13000)), "cleared unack_cleared @13000 =20");
}

CAF_TEST(events_do_not_depend_on_how_often_ticks_come) {
  auto body = R"("kind": "high", "threshold": 25, "deadband": 1,
                 "raise_delay_ms": 2500, "clear_delay_ms": 1500)";
  std::vector<std::pair<int64_t, double>> samples
    = {{0, 20},     {1000, 26},  {2000, 27},  {3000, 24.5}, {4000, 30},   {8000, 30},
       {9000, 23},  {9500, 26},  {10000, 23}, {13000, 22},  {14000, 26}, {20000, 20}};
  auto run = [&](int64_t tick_every) {
    auto a = ppm_alarms(body);
    std::vector<alarm_event> events;
    int64_t next_tick = tick_every;
    for (auto [t, v] : samples) {
      for (; tick_every > 0 && next_tick < t; next_tick += tick_every)
        append(events, a.on_tick(next_tick));
      append(events, a.on_value(t, v));
    }
    append(events, a.on_tick(30000));
    return trace(events);
  };
  auto expected = "raised unack_active @6500 =30; cleared unack_cleared @11500 =23; "
                  "raised unack_active @16500 =26; cleared unack_cleared @21500 =20";
  CAF_CHECK_EQUAL(run(0), expected);
  CAF_CHECK_EQUAL(run(100), expected);
  CAF_CHECK_EQUAL(run(1000), expected);
  CAF_CHECK_EQUAL(run(7), expected);
}

CAF_TEST(a_late_sample_confirms_a_delay_that_ran_out_before_it) {
  // Report by exception: the reading stayed at 40 until t = 20000, longer than the delay.
  auto a = ppm_alarms(R"("kind": "high", "threshold": 25, "raise_delay_ms": 5000)");
  CAF_CHECK_EQUAL(trace(feed(a, {{1000, 40}, {20000, 10}})),
                  "raised unack_active @6000 =40; cleared unack_cleared @20000 =10");
}

CAF_TEST(bad_quality_null_and_nan_values_are_not_judged) {
  auto a = ppm_alarms(R"("kind": "high", "threshold": 25, "raise_delay_ms": 5000)");
  CAF_CHECK_EQUAL(trace(a.on_value(1000, 99, quality_bad)), "");
  CAF_CHECK_EQUAL(trace(a.on_value(2000, 99, quality_stale)), "");
  CAF_CHECK_EQUAL(trace(a.on_value(3000, std::nan(""))), "");
  CAF_CHECK_EQUAL(trace(a.on_quality(4000, quality_good)), "");
  CAF_CHECK(!a.next_deadline());
  // A running delay is neither confirmed nor broken by an unjudgeable sample.
  CAF_CHECK_EQUAL(trace(a.on_value(5000, 30)), "");
  CAF_CHECK_EQUAL(trace(a.on_value(6000, 0, quality_bad)), "");
  CAF_CHECK_EQUAL(trace(a.on_tick(10000)), "raised unack_active @10000 =30");
}

CAF_TEST(boolean_states_are_judged_as_zero_and_one) {
  auto rules = rules_from(one_rule(R"("kind": "low", "threshold": 0.5)", R"({"metric": "running"})"));
  series_alarms a{rules, metric_key("compressor-1", "running"), 0};
  CAF_CHECK_EQUAL(trace(a.on_state(1000, true)), "");
  CAF_CHECK_EQUAL(trace(a.on_state(2000, false)), "raised unack_active @2000 =0");
  CAF_CHECK_EQUAL(trace(a.on_state(3000, true)), "cleared unack_cleared @3000 =1");
}

CAF_TEST(samples_older_than_the_newest_are_ignored) {
  auto a = ppm_alarms(R"("kind": "high", "threshold": 25)");
  CAF_CHECK_EQUAL(trace(a.on_value(5000, 30)), "raised unack_active @5000 =30");
  CAF_CHECK_EQUAL(trace(a.on_value(4000, 10)), "");
  CAF_CHECK_EQUAL(trace(a.on_value(5000, 10)), "cleared unack_cleared @5000 =10");
}

CAF_TEST(extreme_timestamps_do_not_overflow) {
  auto a = ppm_alarms(R"("kind": "high", "threshold": 25, "raise_delay_ms": 5000)");
  auto far = std::numeric_limits<int64_t>::max() - 10;
  CAF_CHECK_EQUAL(trace(a.on_value(far, 30)), "");
  CAF_CHECK_EQUAL(a.next_deadline(), std::optional<int64_t>{std::numeric_limits<int64_t>::max()});
  CAF_CHECK_EQUAL(trace(a.on_tick(std::numeric_limits<int64_t>::max())),
                  "raised unack_active @9223372036854775807 =30");
}

CAF_TEST(sparkplug_values_become_readings) {
  using floe::sparkplug::value;
  CAF_CHECK_EQUAL(reading_of(value{true}), std::optional<double>{1.0});
  CAF_CHECK_EQUAL(reading_of(value{false}), std::optional<double>{0.0});
  CAF_CHECK_EQUAL(reading_of(value{int64_t{-40}}), std::optional<double>{-40.0});
  CAF_CHECK_EQUAL(reading_of(value{uint64_t{7}}), std::optional<double>{7.0});
  CAF_CHECK_EQUAL(reading_of(value{2.5f}), std::optional<double>{2.5});
  CAF_CHECK_EQUAL(reading_of(value{12.25}), std::optional<double>{12.25});
  CAF_CHECK(!reading_of(value{}));
  CAF_CHECK(!reading_of(value{std::string{"12"}}));
  CAF_CHECK(!reading_of(value{std::vector<double>{1.0}}));
}
