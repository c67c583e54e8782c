#define CAF_SUITE alarm_quality_offline
#include <caf/test/unit_test.hpp>

#include "alarm_test_support.hpp"

using namespace floe::alarms;
using namespace floe::alarms::test;

namespace {

series_alarms quality_alarms(std::string_view body = R"("kind": "bad_quality")") {
  return series_alarms{rules_from(one_rule(body)), metric_key("nh3-detector-1", "ppm"), 0};
}

constexpr auto offline_rules = R"({"rules": [
  {"name": "device_offline", "kind": "offline", "severity": "critical",
   "match": {"device_kind": "compressor"}, "raise_delay_ms": 10000},
  {"name": "node_offline", "kind": "offline", "severity": "critical",
   "match": {"scope": "node"}},
  {"name": "current_high", "kind": "high", "severity": "warning",
   "match": {"device_kind": "compressor", "metric": "motor_current_a"},
   "threshold": 100, "raise_delay_ms": 5000}]})";

} // namespace

CAF_TEST(bad_quality_raises_with_the_code_and_good_quality_clears) {
  auto a = quality_alarms();
  CAF_CHECK_EQUAL(trace(a.on_value(1000, 3)), "");
  CAF_CHECK_EQUAL(trace(a.on_value(2000, 3, quality_bad)), "raised unack_active @2000 =0");
  CAF_CHECK_EQUAL(trace(a.on_quality(3000, quality_bad)), "");
  CAF_CHECK_EQUAL(trace(a.on_value(4000, 3, quality_good)), "cleared unack_cleared @4000 =192");
}

CAF_TEST(stale_counts_as_bad_only_when_the_rule_says_so) {
  auto plain = quality_alarms();
  CAF_CHECK_EQUAL(trace(plain.on_quality(1000, quality_stale)), "");
  auto strict = quality_alarms(R"("kind": "bad_quality", "include_stale": true)");
  CAF_CHECK_EQUAL(trace(strict.on_quality(1000, quality_stale)), "raised unack_active @1000 =500");
  // Stale leaves a plain rule's alarm as it is: neither confirms nor clears a bad reading.
  CAF_CHECK_EQUAL(trace(plain.on_quality(2000, quality_bad)), "raised unack_active @2000 =0");
  CAF_CHECK_EQUAL(trace(plain.on_quality(3000, quality_stale)), "");
  CAF_CHECK_EQUAL(trace(plain.on_quality(4000, quality_good)), "cleared unack_cleared @4000 =192");
}

CAF_TEST(unknown_quality_codes_count_as_bad) {
  auto a = quality_alarms();
  CAF_CHECK_EQUAL(trace(a.on_quality(1000, 64)), "raised unack_active @1000 =64");
}

CAF_TEST(bad_quality_honours_its_delays) {
  auto a = quality_alarms(R"("kind": "bad_quality", "raise_delay_ms": 3000)");
  CAF_CHECK_EQUAL(trace(a.on_quality(1000, quality_bad)), "");
  CAF_CHECK_EQUAL(trace(a.on_quality(2000, quality_good)), "");
  CAF_CHECK_EQUAL(trace(a.on_quality(3000, quality_bad)), "");
  CAF_CHECK_EQUAL(trace(a.on_tick(6000)), "raised unack_active @6000 =0");
}

CAF_TEST(device_offline_raises_after_its_delay_and_clears_when_online) {
  auto rules = rules_from(offline_rules);
  series_alarms dev{rules, device_key("compressor-1"), 0};
  CAF_REQUIRE_EQUAL(dev.size(), 1u);
  CAF_CHECK_EQUAL(trace(dev.on_offline(1000)), "");
  CAF_CHECK_EQUAL(trace(dev.on_offline(2000)), ""); // repeated: no change
  CAF_CHECK_EQUAL(dev.next_deadline(), std::optional<int64_t>{11000});
  auto raised = dev.on_tick(11000);
  CAF_CHECK_EQUAL(trace(raised), "raised unack_active @11000");
  CAF_REQUIRE_EQUAL(raised.size(), 1u);
  CAF_CHECK_EQUAL(raised[0].rule, "device_offline");
  CAF_CHECK_EQUAL(raised[0].alarm_id, "device_offline@plant/edge-1/compressor-1");
  CAF_CHECK_EQUAL(trace(dev.on_online(20000)), "cleared unack_cleared @20000");
  CAF_CHECK_EQUAL(trace(dev.on_online(21000)), "");
}

CAF_TEST(a_brief_offline_within_the_delay_raises_nothing) {
  // E.g. the devices of an edge node between its new NBIRTH and their DBIRTHs.
  auto rules = rules_from(offline_rules);
  series_alarms dev{rules, device_key("compressor-1"), 0};
  CAF_CHECK_EQUAL(trace(dev.on_offline(1000)), "");
  CAF_CHECK_EQUAL(trace(dev.on_online(1500)), "");
  CAF_CHECK_EQUAL(trace(dev.on_tick(60000)), "");
}

CAF_TEST(node_offline_binds_to_the_edge_node_only) {
  auto rules = rules_from(offline_rules);
  series_alarms node{rules, series_key{"plant", "edge-1", "", ""}, 0};
  CAF_REQUIRE_EQUAL(node.size(), 1u);
  CAF_CHECK_EQUAL(trace(node.on_offline(1000)), "raised unack_active @1000");
  series_alarms other_device{rules, device_key("condenser-1"), 0};
  CAF_CHECK(other_device.empty());
}

CAF_TEST(going_offline_cancels_a_running_value_delay) {
  auto rules = rules_from(offline_rules);
  series_alarms current{rules, metric_key("compressor-1", "motor_current_a"), 0};
  CAF_CHECK_EQUAL(trace(current.on_value(1000, 150)), "");
  CAF_CHECK_EQUAL(trace(current.on_offline(2000)), "");
  CAF_CHECK_EQUAL(trace(current.on_tick(60000)), "");
  CAF_CHECK_EQUAL(trace(current.on_online(61000)), "");
  CAF_CHECK_EQUAL(trace(current.on_value(62000, 150)), "");
  CAF_CHECK_EQUAL(trace(current.on_tick(67000)), "raised unack_active @67000 =150");
}

CAF_TEST(an_active_value_alarm_survives_offline) {
  auto rules = rules_from(offline_rules);
  series_alarms current{rules, metric_key("compressor-1", "motor_current_a"), 0};
  current.on_value(1000, 150);
  CAF_CHECK_EQUAL(trace(current.on_tick(6000)), "raised unack_active @6000 =150");
  current.on_offline(7000);
  current.on_online(8000);
  CAF_CHECK_EQUAL(trace(current.on_value(9000, 50)), "cleared unack_cleared @9000 =50");
}
