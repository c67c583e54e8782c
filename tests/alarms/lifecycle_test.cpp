#define CAF_SUITE alarm_lifecycle
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <type_traits>

#include "alarm_test_support.hpp"

using namespace floe::alarms;
using namespace floe::alarms::test;

namespace {

constexpr auto nh3_rule = R"json({"rules": [{"name": "nh3_high", "kind": "high",
  "severity": "critical", "match": {"device_kind": "nh3-detector", "metric": "ppm"},
  "threshold": 35, "deadband": 3,
  "message": "{device}: ammonia {value} ppm (limit {limit})"}]})json";

struct fixture {
  std::shared_ptr<const rule_set> rules = rules_from(nh3_rule);
  series_alarms alarms{rules, metric_key("nh3-detector-1", "ppm"), 0};
  std::string id = "nh3_high@plant/edge-1/nh3-detector-1/ppm";

  alarm_event ack(const std::string& who, int64_t t) {
    auto r = alarms.acknowledge(id, who, t);
    if (!r)
      CAF_FAIL("acknowledge failed: " << to_string(r.error()));
    return *r;
  }

  ack_error ack_error_of(std::string_view alarm_id, std::string_view who, int64_t t) {
    auto r = alarms.acknowledge(alarm_id, who, t);
    if (r)
      CAF_FAIL("acknowledge succeeded where it should not");
    return r.error();
  }

  alarm_state state() const {
    return alarms.status().at(0).state;
  }
};

} // namespace

// Device actors keep their series_alarms in containers.
static_assert(std::is_nothrow_move_constructible_v<series_alarms>);

CAF_TEST_FIXTURE_SCOPE(alarm_lifecycle_tests, fixture)

CAF_TEST(an_alarm_active_before_a_restart_is_active_again_and_clears_with_its_occurrence) {
  saved_alarms saved;
  saved[id] = saved_alarm{alarm_state::ack_active, 7, 5000, "nh3-detector-1: ammonia 40 ppm",
                          "alice"};
  saved["other@plant/edge-1/x/ppm"] = saved_alarm{alarm_state::unack_active, 1, 10, "", ""};
  auto restored = alarms.restore(saved);
  CAF_REQUIRE_EQUAL(restored.size(), 1u); // only the alarm bound to this series
  CAF_CHECK(restored[0].what == transition::raised);
  CAF_CHECK(restored[0].state == alarm_state::ack_active);
  CAF_CHECK_EQUAL(restored[0].occurrence, 7u);
  CAF_CHECK(state() == alarm_state::ack_active);
  // Still above the limit: nothing new. Back to normal: cleared, same occurrence, acknowledged
  // already, so the occurrence closes (normal).
  CAF_CHECK(alarms.on_value(6000, 40).empty());
  auto cleared = alarms.on_value(7000, 10);
  CAF_REQUIRE_EQUAL(cleared.size(), 1u);
  CAF_CHECK(cleared[0].what == transition::cleared);
  CAF_CHECK_EQUAL(cleared[0].occurrence, 7u);
  CAF_CHECK(state() == alarm_state::normal);
  // The next raise is a new occurrence.
  auto again = alarms.on_value(8000, 50);
  CAF_REQUIRE_EQUAL(again.size(), 1u);
  CAF_CHECK_EQUAL(again[0].occurrence, 8u);
}

CAF_TEST(a_restored_unacknowledged_alarm_can_be_acknowledged) {
  saved_alarms saved;
  saved[id] = saved_alarm{alarm_state::unack_cleared, 2, 5000, "gone", ""};
  auto restored = alarms.restore(saved);
  CAF_REQUIRE_EQUAL(restored.size(), 1u);
  CAF_CHECK(restored[0].what == transition::cleared);
  auto acked = ack("bob", 6000);
  CAF_CHECK(acked.state == alarm_state::normal);
  CAF_CHECK_EQUAL(acked.occurrence, 2u);
}

CAF_TEST(a_saved_normal_alarm_stays_normal_and_its_next_raise_is_a_new_occurrence) {
  saved_alarms saved;
  saved[id] = saved_alarm{alarm_state::normal, 3, 5000, "", ""};
  CAF_CHECK(alarms.restore(saved).empty());
  CAF_CHECK(state() == alarm_state::normal);
  CAF_CHECK_EQUAL(alarms.on_value(6000, 40).at(0).occurrence, 4u);
}

CAF_TEST(raise_ack_clear_closes_the_record) {
  CAF_CHECK(state() == alarm_state::normal);
  auto raised = alarms.on_value(1000, 40);
  CAF_REQUIRE_EQUAL(raised.size(), 1u);
  CAF_CHECK(state() == alarm_state::unack_active);
  auto acked = ack("alice", 2000);
  CAF_CHECK(acked.what == transition::acknowledged);
  CAF_CHECK(acked.state == alarm_state::ack_active);
  CAF_CHECK_EQUAL(acked.acknowledged_by, "alice");
  CAF_CHECK_EQUAL(acked.timestamp_ms, 2000);
  CAF_CHECK(!acked.value);
  CAF_CHECK_EQUAL(trace(alarms.on_value(3000, 31)), "cleared normal @3000 =31");
  CAF_CHECK(state() == alarm_state::normal);
  auto st = alarms.status().at(0);
  CAF_CHECK_EQUAL(st.occurrence, 1u);
  CAF_CHECK_EQUAL(st.raised_ms, std::optional<int64_t>{1000});
  CAF_CHECK_EQUAL(st.cleared_ms, std::optional<int64_t>{3000});
  CAF_CHECK_EQUAL(st.acknowledged_ms, std::optional<int64_t>{2000});
  CAF_CHECK_EQUAL(st.acknowledged_by, "alice");
}

CAF_TEST(clear_then_ack_closes_the_record) {
  alarms.on_value(1000, 40);
  CAF_CHECK_EQUAL(trace(alarms.on_value(2000, 20)), "cleared unack_cleared @2000 =20");
  CAF_CHECK(state() == alarm_state::unack_cleared);
  auto acked = ack("bob", 5000);
  CAF_CHECK(acked.state == alarm_state::normal);
  CAF_CHECK_EQUAL(acked.acknowledged_by, "bob");
  CAF_CHECK(state() == alarm_state::normal);
}

CAF_TEST(a_raise_before_the_ack_continues_the_open_record) {
  alarms.on_value(1000, 40);
  alarms.on_value(2000, 20);
  auto again = alarms.on_value(3000, 50);
  CAF_REQUIRE_EQUAL(again.size(), 1u);
  CAF_CHECK(again[0].state == alarm_state::unack_active);
  CAF_CHECK_EQUAL(again[0].occurrence, 1u);
  ack("alice", 4000);
  alarms.on_value(5000, 20);
  CAF_CHECK(state() == alarm_state::normal);
  // Once closed, the next raise opens a new record.
  auto next = alarms.on_value(6000, 45);
  CAF_REQUIRE_EQUAL(next.size(), 1u);
  CAF_CHECK_EQUAL(next[0].occurrence, 2u);
  CAF_CHECK(state() == alarm_state::unack_active);
  auto st = alarms.status();
  CAF_CHECK(st.at(0).acknowledged_by.empty());
}

CAF_TEST(acknowledge_rejects_what_it_cannot_do) {
  CAF_CHECK(ack_error_of(id, "alice", 500) == ack_error::not_active);
  alarms.on_value(1000, 40);
  CAF_CHECK(ack_error_of("nh3_high@plant/edge-1/nh3-detector-2/ppm", "alice", 1500)
            == ack_error::unknown_alarm);
  CAF_CHECK(ack_error_of("other_rule@plant/edge-1/nh3-detector-1/ppm", "alice", 1500)
            == ack_error::unknown_alarm);
  CAF_CHECK(ack_error_of("no id at all", "alice", 1500) == ack_error::unknown_alarm);
  CAF_CHECK(ack_error_of(id, "", 1500) == ack_error::missing_operator);
  ack("alice", 2000);
  CAF_CHECK(ack_error_of(id, "bob", 2500) == ack_error::already_acknowledged);
  auto st = alarms.status();
  CAF_CHECK_EQUAL(st.at(0).acknowledged_by, "alice");
}

CAF_TEST(every_event_carries_id_rule_series_severity_and_message) {
  auto raised = alarms.on_value(1000, 40);
  auto acked = ack("alice", 2000);
  auto cleared = alarms.on_value(3000, 10);
  CAF_REQUIRE_EQUAL(raised.size(), 1u);
  CAF_REQUIRE_EQUAL(cleared.size(), 1u);
  for (const auto& e : {raised[0], acked, cleared[0]}) {
    CAF_CHECK_EQUAL(e.alarm_id, id);
    CAF_CHECK_EQUAL(e.rule, "nh3_high");
    CAF_CHECK(e.series == metric_key("nh3-detector-1", "ppm"));
    CAF_CHECK(e.kind == rule_kind::high);
    CAF_CHECK(e.level == severity::critical);
    CAF_CHECK_EQUAL(e.occurrence, 1u);
    // Rendered at the raise and kept for the whole occurrence.
    CAF_CHECK_EQUAL(e.message, "nh3-detector-1: ammonia 40 ppm (limit 35)");
  }
  CAF_CHECK_EQUAL(raised[0].value, std::optional<double>{40});
  CAF_CHECK_EQUAL(cleared[0].value, std::optional<double>{10});
}

CAF_TEST(alarm_ids_are_stable_per_rule_and_series) {
  series_alarms same_series{rules, metric_key("nh3-detector-1", "ppm"), 99};
  auto same = same_series.status();
  CAF_CHECK_EQUAL(same.at(0).alarm_id, id);
  series_alarms other_series{rules, metric_key("nh3-detector-2", "ppm"), 0};
  auto other = other_series.status();
  CAF_CHECK_EQUAL(other.at(0).alarm_id, "nh3_high@plant/edge-1/nh3-detector-2/ppm");
  CAF_CHECK_EQUAL(make_alarm_id("r", series_key{"g", "e", "", "m/x"}), "r@g/e//m/x");
  CAF_CHECK_EQUAL(make_alarm_id("r", series_key{"g", "e", "", ""}), "r@g/e");
}

CAF_TEST(event_times_of_one_alarm_never_go_backwards) {
  alarms.on_value(5000, 40);
  // The operator's clock is behind the device's.
  auto acked = ack("alice", 4000);
  CAF_CHECK_EQUAL(acked.timestamp_ms, 5000);
}

CAF_TEST(each_rule_on_a_series_is_its_own_alarm) {
  auto rules2 = rules_from(R"({"rules": [
    {"name": "warn", "kind": "high", "severity": "warning", "match": {"metric": "ppm"},
     "threshold": 25},
    {"name": "crit", "kind": "high", "severity": "critical", "match": {"metric": "ppm"},
     "threshold": 35}]})");
  series_alarms a{rules2, metric_key("nh3-detector-1", "ppm"), 0};
  auto up = a.on_value(1000, 40);
  CAF_REQUIRE_EQUAL(up.size(), 2u);
  CAF_CHECK_EQUAL(up[0].rule, "warn");
  CAF_CHECK_EQUAL(up[1].rule, "crit");
  auto acked = a.acknowledge("crit@plant/edge-1/nh3-detector-1/ppm", "alice", 1500);
  CAF_REQUIRE(acked.has_value());
  auto down = a.on_value(2000, 30);
  CAF_REQUIRE_EQUAL(down.size(), 1u);
  CAF_CHECK_EQUAL(down[0].rule, "crit");
  CAF_CHECK(down[0].state == alarm_state::normal);
  auto st = a.status();
  CAF_CHECK(st.at(0).state == alarm_state::unack_active);
  CAF_CHECK(st.at(1).state == alarm_state::normal);
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST(an_ammonia_leak_runs_through_the_shipped_rules) {
  auto parsed = rule_set::load(FLOE_ALARM_RULES_DIR "/ice_plant.json");
  CAF_REQUIRE(parsed.has_value());
  auto rules = std::make_shared<const rule_set>(std::move(*parsed));
  series_alarms nh3{rules, metric_key("nh3-detector-1", "NH3 Concentration"), 0};
  // Baseline 0.8 ppm; from 100 s up 1 ppm/s to 60.8 ppm at 160 s; down 0.1875 ppm/s (inside
  // the rate rule's hysteresis band) to the baseline at 480 s.
  auto ppm = [](int64_t s) {
    if (s <= 100)
      return 0.8;
    if (s <= 160)
      return 0.8 + static_cast<double>(s - 100);
    if (s <= 480)
      return 60.8 - 0.1875 * static_cast<double>(s - 160);
    return 0.8;
  };
  std::vector<alarm_event> events;
  for (int64_t s = 0; s <= 600; ++s)
    append(events, nh3.on_value(s * 1000, ppm(s)));
  std::string seen;
  for (const auto& e : events)
    seen += e.rule + " " + to_string(e.what) + " @" + std::to_string(e.timestamp_ms) + "; ";
  CAF_MESSAGE("events: " << seen);
  auto at = [&](const std::string& rule, transition what) -> const alarm_event& {
    auto i = std::find_if(events.begin(), events.end(), [&](const alarm_event& e) {
      return e.rule == rule && e.what == what;
    });
    CAF_REQUIRE(i != events.end());
    return *i;
  };
  const auto& rising = at("nh3_ppm_rising", transition::raised);
  const auto& warning = at("nh3_ppm_high_warning", transition::raised);
  const auto& critical = at("nh3_ppm_high_critical", transition::raised);
  CAF_CHECK_LESS(rising.timestamp_ms, warning.timestamp_ms); // the early sign comes first
  CAF_CHECK_EQUAL(warning.timestamp_ms, 125000);             // first sample >= 25 ppm
  CAF_CHECK_EQUAL(critical.timestamp_ms, 135000);            // first sample >= 35 ppm
  CAF_CHECK_EQUAL(critical.message, "nh3-detector-1: ammonia 35.8 ppm (critical at 35 ppm)");
  // Below 32 ppm from 314 s, below 23 ppm from 362 s; then the clear delays (60 s, 30 s).
  CAF_CHECK_EQUAL(at("nh3_ppm_high_critical", transition::cleared).timestamp_ms, 374000);
  CAF_CHECK_EQUAL(at("nh3_ppm_high_warning", transition::cleared).timestamp_ms, 392000);
  at("nh3_ppm_rising", transition::cleared);
  // Nothing else: one raise and one clear per rule.
  CAF_CHECK_EQUAL(events.size(), 6u);
}
