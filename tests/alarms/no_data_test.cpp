#define CAF_SUITE alarm_no_data
#include <caf/test/unit_test.hpp>

#include "alarm_test_support.hpp"

using namespace floe::alarms;
using namespace floe::alarms::test;

namespace {

series_alarms silent_alarms(int64_t created_ms = 0) {
  return series_alarms{rules_from(one_rule(R"("kind": "no_data", "timeout_ms": 60000)")),
                       metric_key("nh3-detector-1", "ppm"), created_ms};
}

} // namespace

CAF_TEST(raises_once_the_timeout_passed_since_the_last_sample) {
  auto a = silent_alarms();
  CAF_CHECK_EQUAL(trace(a.on_value(1000, 3)), "");
  CAF_CHECK_EQUAL(a.next_deadline(), std::optional<int64_t>{61000});
  CAF_CHECK_EQUAL(trace(a.on_tick(60999)), "");
  // Stamped when the timeout ran out, not when the tick noticed it; no value.
  CAF_CHECK_EQUAL(trace(a.on_tick(62000)), "raised unack_active @61000");
  CAF_CHECK_EQUAL(trace(a.on_tick(200000)), ""); // raised once
  CAF_CHECK(!a.next_deadline());
}

CAF_TEST(clears_on_the_next_sample_whatever_its_value_or_quality) {
  auto a = silent_alarms();
  a.on_value(1000, 3);
  CAF_CHECK_EQUAL(trace(a.on_tick(70000)), "raised unack_active @61000");
  CAF_CHECK_EQUAL(trace(a.on_quality(75000, quality_bad)), "cleared unack_cleared @75000");
  // The timeout starts again from the sample that cleared it.
  CAF_CHECK_EQUAL(a.next_deadline(), std::optional<int64_t>{135000});
}

CAF_TEST(regular_samples_keep_it_quiet) {
  auto a = silent_alarms();
  std::vector<alarm_event> events;
  for (int64_t t = 0; t <= 600000; t += 30000) {
    append(events, a.on_tick(t));
    append(events, a.on_value(t, 1));
  }
  CAF_CHECK_EQUAL(trace(events), "");
}

CAF_TEST(a_series_that_never_reports_raises_a_timeout_after_creation) {
  auto a = silent_alarms(5000);
  CAF_CHECK_EQUAL(trace(a.on_tick(64999)), "");
  CAF_CHECK_EQUAL(trace(a.on_tick(65000)), "raised unack_active @65000");
}

CAF_TEST(a_gap_found_by_the_next_sample_is_reported_as_raise_and_clear) {
  // Without any tick in between, the record still shows the silence.
  auto a = silent_alarms();
  a.on_value(1000, 3);
  CAF_CHECK_EQUAL(trace(a.on_value(100000, 4)),
                  "raised unack_active @61000; cleared unack_cleared @100000");
}

CAF_TEST(offline_series_do_not_raise_and_going_online_restarts_the_timeout) {
  auto a = silent_alarms();
  a.on_value(1000, 3);
  CAF_CHECK_EQUAL(trace(a.on_offline(30000)), "");
  CAF_CHECK(!a.next_deadline());
  CAF_CHECK_EQUAL(trace(a.on_tick(500000)), "");
  CAF_CHECK_EQUAL(trace(a.on_online(600000)), "");
  CAF_CHECK_EQUAL(a.next_deadline(), std::optional<int64_t>{660000});
  CAF_CHECK_EQUAL(trace(a.on_tick(660000)), "raised unack_active @660000");
}

CAF_TEST(a_timeout_that_ran_out_before_going_offline_is_still_raised) {
  auto a = silent_alarms();
  a.on_value(1000, 3);
  CAF_CHECK_EQUAL(trace(a.on_offline(90000)), "raised unack_active @61000");
}

CAF_TEST(an_active_no_data_alarm_stays_active_while_offline) {
  auto a = silent_alarms();
  a.on_value(1000, 3);
  a.on_tick(61000);
  CAF_CHECK_EQUAL(trace(a.on_offline(70000)), "");
  CAF_CHECK_EQUAL(trace(a.on_online(80000)), "");
  CAF_CHECK_EQUAL(trace(a.on_value(81000, 3)), "cleared unack_cleared @81000");
}
