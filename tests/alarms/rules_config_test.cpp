#define CAF_SUITE alarm_rules_config
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "alarm_test_support.hpp"
#include "config/defaults.hpp"

using namespace floe::alarms;
using namespace floe::alarms::test;

namespace {

config_error error_of(std::string_view json) {
  auto r = rule_set::parse(json, "bad.json");
  if (r)
    CAF_FAIL("expected a config error, the rules parsed");
  return r.error();
}

std::vector<std::string> names_of(const rule_set& rules, const series_key& key) {
  std::vector<std::string> out;
  for (auto i : rules.match(key))
    out.push_back(rules.rules()[i].name);
  return out;
}

using names = std::vector<std::string>;

} // namespace

CAF_TEST(high_rule_with_every_field_parses) {
  auto r = rule_set::parse(R"json({"description": "test", "rules": [{
      "name": "nh3_high", "kind": "high", "severity": "critical", "description": "leak",
      "match": {"group": "plant", "edge_node": "edge-*", "device": ["nh3-*"],
                "device_kind": "nh3-detector", "metric": "ppm"},
      "threshold": 35, "deadband": 3, "raise_delay_ms": 2000, "clear_delay_ms": 5000,
      "message": "{device}: ammonia {value} ppm (limit {limit})"}]})json",
                           "x.json");
  CAF_REQUIRE(r.has_value());
  CAF_REQUIRE_EQUAL(r->size(), 1u);
  const auto& rule = r->rules()[0];
  CAF_CHECK_EQUAL(rule.name, "nh3_high");
  CAF_CHECK(rule.kind == rule_kind::high);
  CAF_CHECK(rule.level == severity::critical);
  CAF_CHECK_EQUAL(rule.limit, 35.0);
  CAF_CHECK_EQUAL(rule.deadband, 3.0);
  CAF_CHECK_EQUAL(rule.raise_delay_ms, 2000);
  CAF_CHECK_EQUAL(rule.clear_delay_ms, 5000);
  CAF_CHECK_EQUAL(rule.match.device_kinds, names{"nh3-detector"});
  CAF_CHECK_EQUAL(r->find("nh3_high"), 0);
  CAF_CHECK_EQUAL(r->find("other"), -1);
}

CAF_TEST(omitted_fields_take_the_documented_defaults) {
  auto r = rule_set::parse(R"({"rules": [
      {"name": "a", "kind": "low", "severity": "info", "match": {}, "threshold": -5},
      {"name": "b", "kind": "rate_of_change", "severity": "warning", "match": {},
       "limit_per_s": 2}]})",
                           "x.json");
  CAF_REQUIRE(r.has_value());
  const auto& a = r->rules()[0];
  CAF_CHECK_EQUAL(a.deadband, floe::defaults::alarms::deadband);
  CAF_CHECK_EQUAL(a.raise_delay_ms, floe::defaults::alarms::raise_delay_ms);
  CAF_CHECK_EQUAL(a.clear_delay_ms, floe::defaults::alarms::clear_delay_ms);
  CAF_CHECK_EQUAL(a.message, std::string{floe::defaults::alarms::message});
  CAF_CHECK(a.match.metric.matches_everything());
  CAF_CHECK_EQUAL(r->rules()[1].span_ms, floe::defaults::alarms::rate_span_ms);
}

CAF_TEST(invalid_json_names_the_file_and_the_position) {
  auto e = error_of(R"({"rules": [ {"name": "a",, } ]})");
  CAF_CHECK_EQUAL(e.source, "bad.json");
  CAF_CHECK(e.rule.empty());
  CAF_CHECK(e.detail.find("invalid JSON") != std::string::npos);
  CAF_CHECK(e.detail.find("column") != std::string::npos);
}

CAF_TEST(missing_threshold_names_rule_and_field) {
  auto e = error_of(one_rule(R"("kind": "high")"));
  CAF_CHECK_EQUAL(e.rule, "r");
  CAF_CHECK_EQUAL(e.field, "threshold");
  CAF_CHECK_EQUAL(e.to_string(), "bad.json: rule 'r': field 'threshold': missing (required)");
}

CAF_TEST(misspelt_field_is_rejected_not_ignored) {
  auto e = error_of(one_rule(R"("kind": "high", "threshold": 25, "dedband": 2)"));
  CAF_CHECK_EQUAL(e.field, "dedband");
  CAF_CHECK(e.detail.find("unknown field") != std::string::npos);
  CAF_CHECK(e.detail.find("deadband") != std::string::npos); // lists the known ones
  auto m = error_of(one_rule(R"("kind": "high", "threshold": 25)", R"({"metrc": "ppm"})"));
  CAF_CHECK_EQUAL(m.field, "match.metrc");
  auto top = error_of(R"({"rules": [], "rule": []})");
  CAF_CHECK_EQUAL(top.field, "rule");
}

CAF_TEST(field_of_the_wrong_type_is_named) {
  auto e = error_of(one_rule(R"("kind": "high", "threshold": "25")"));
  CAF_CHECK_EQUAL(e.field, "threshold");
  CAF_CHECK(e.detail.find("number") != std::string::npos);
  auto d = error_of(one_rule(R"("kind": "high", "threshold": 25, "raise_delay_ms": 1.5)"));
  CAF_CHECK_EQUAL(d.field, "raise_delay_ms");
  auto n = error_of(one_rule(R"("kind": "high", "threshold": 25, "clear_delay_ms": -1)"));
  CAF_CHECK_EQUAL(n.field, "clear_delay_ms");
  auto big = error_of(one_rule(R"("kind": "no_data", "timeout_ms": 18446744073709551615)"));
  CAF_CHECK_EQUAL(big.field, "timeout_ms");
  auto k = error_of(one_rule(R"("kind": "high", "threshold": 25)", R"({"device_kind": ["a", 3]})"));
  CAF_CHECK_EQUAL(k.field, "match.device_kind[1]");
  auto s = error_of(one_rule(R"("kind": "bad_quality", "include_stale": "yes")"));
  CAF_CHECK_EQUAL(s.field, "include_stale");
}

CAF_TEST(unknown_kind_and_severity_are_rejected_with_the_known_ones) {
  auto k = error_of(one_rule(R"("kind": "above", "threshold": 25)"));
  CAF_CHECK_EQUAL(k.field, "kind");
  CAF_CHECK(k.detail.find("rate_of_change") != std::string::npos);
  auto s = error_of(R"({"rules": [{"name": "r", "kind": "high", "severity": "urgent",
                        "match": {}, "threshold": 1}]})");
  CAF_CHECK_EQUAL(s.field, "severity");
  CAF_CHECK(s.detail.find("critical") != std::string::npos);
}

CAF_TEST(rule_without_a_usable_name_is_named_by_its_index) {
  auto e = error_of(R"({"rules": [
      {"name": "ok", "kind": "offline", "severity": "info", "match": {}},
      {"kind": "offline", "severity": "info", "match": {}}]})");
  CAF_CHECK_EQUAL(e.rule, "rules[1]");
  CAF_CHECK_EQUAL(e.field, "name");
  auto bad = error_of(R"({"rules": [{"name": "has space", "kind": "offline",
                          "severity": "info", "match": {}}]})");
  CAF_CHECK_EQUAL(bad.rule, "has space");
  CAF_CHECK_EQUAL(bad.field, "name");
  auto not_object = error_of(R"({"rules": [42]})");
  CAF_CHECK_EQUAL(not_object.rule, "rules[0]");
}

CAF_TEST(duplicate_rule_names_are_rejected) {
  auto e = error_of(R"({"rules": [
      {"name": "same", "kind": "offline", "severity": "info", "match": {}},
      {"name": "same", "kind": "no_data", "severity": "info", "match": {}, "timeout_ms": 5}]})");
  CAF_CHECK_EQUAL(e.rule, "same");
  CAF_CHECK_EQUAL(e.field, "name");
  CAF_CHECK(e.detail.find("rules[0]") != std::string::npos);
}

CAF_TEST(fields_that_do_not_fit_the_kind_are_rejected) {
  // no_data clears on the next update: a delay would be meaningless.
  auto d = error_of(one_rule(R"("kind": "no_data", "timeout_ms": 60000, "raise_delay_ms": 5)"));
  CAF_CHECK_EQUAL(d.field, "raise_delay_ms");
  auto z = error_of(one_rule(R"("kind": "no_data", "timeout_ms": 0)"));
  CAF_CHECK_EQUAL(z.field, "timeout_ms");
  auto t = error_of(one_rule(R"("kind": "offline", "threshold": 1)", "{}"));
  CAF_CHECK_EQUAL(t.field, "threshold");
  auto m = error_of(one_rule(R"("kind": "offline")", R"({"metric": "ppm"})"));
  CAF_CHECK_EQUAL(m.field, "match.metric");
  auto scope = error_of(one_rule(R"("kind": "high", "threshold": 1)", R"({"scope": "node"})"));
  CAF_CHECK_EQUAL(scope.field, "match.scope");
  auto node = error_of(one_rule(R"("kind": "offline")", R"({"scope": "node", "device": "x"})"));
  CAF_CHECK_EQUAL(node.field, "match.device");
  auto rate = error_of(one_rule(R"("kind": "rate_of_change", "limit_per_s": 1, "deadband": 1)"));
  CAF_CHECK_EQUAL(rate.field, "deadband");
  auto limit = error_of(one_rule(R"("kind": "rate_of_change", "limit_per_s": 0)"));
  CAF_CHECK_EQUAL(limit.field, "limit_per_s");
  auto band = error_of(one_rule(R"("kind": "low", "threshold": 1, "deadband": -1)"));
  CAF_CHECK_EQUAL(band.field, "deadband");
  auto no_match = error_of(R"({"rules": [{"name": "r", "kind": "offline", "severity": "info"}]})");
  CAF_CHECK_EQUAL(no_match.field, "match");
  auto no_rules = error_of(R"({"alarms": []})");
  CAF_CHECK_EQUAL(no_rules.field, "alarms");
  auto not_object = error_of("[]");
  CAF_CHECK(not_object.detail.find("rules") != std::string::npos);
}

CAF_TEST(message_template_errors_are_found_when_loading) {
  auto u = error_of(one_rule(R"("kind": "high", "threshold": 1, "message": "{devise} high")"));
  CAF_CHECK_EQUAL(u.field, "message");
  CAF_CHECK(u.detail.find("{devise}") != std::string::npos);
  auto open = error_of(one_rule(R"("kind": "high", "threshold": 1, "message": "{value")"));
  CAF_CHECK_EQUAL(open.field, "message");
  auto close = error_of(one_rule(R"("kind": "high", "threshold": 1, "message": "x}")"));
  CAF_CHECK_EQUAL(close.field, "message");
}

CAF_TEST(message_placeholders_render_series_value_and_limit) {
  auto rules = rules_from(R"json({"rules": [{"name": "nh3_high", "kind": "high",
      "severity": "critical", "match": {"metric": "ppm"}, "threshold": 35, "deadband": 3,
      "message": "{{{severity}}} {device}/{metric} at {value} ppm, limit {limit} ({rule}, {kind}, {series}, db {deadband})"}]})json");
  auto text = render_message(rules->rules()[0], metric_key("nh3-detector-2", "ppm"), 36.25);
  CAF_CHECK_EQUAL(text, "{critical} nh3-detector-2/ppm at 36.25 ppm, limit 35 (nh3_high, high, "
                        "plant/edge-1/nh3-detector-2/ppm, db 3)");
  CAF_CHECK_EQUAL(render_message(rules->rules()[0], metric_key("d", "ppm"), std::nullopt)
                    .find("at - ppm") != std::string::npos,
                  true);
}

CAF_TEST(load_reports_a_missing_file_by_path) {
  auto r = rule_set::load("/nonexistent/alarms.json");
  CAF_REQUIRE(!r.has_value());
  CAF_CHECK_EQUAL(r.error().source, "/nonexistent/alarms.json");
  CAF_CHECK(r.error().detail.find("cannot open") != std::string::npos);
}

CAF_TEST(device_kind_matches_the_id_prefix_up_to_a_non_letter) {
  auto rules = rules_from(R"({"rules": [{"name": "c", "kind": "high", "severity": "info",
      "match": {"device_kind": ["compressor", "brine-tank"], "metric": "*"}, "threshold": 1}]})");
  CAF_CHECK_EQUAL(names_of(*rules, metric_key("compressor-1", "x")), names{"c"});
  CAF_CHECK_EQUAL(names_of(*rules, metric_key("compressor7", "x")), names{"c"});
  CAF_CHECK_EQUAL(names_of(*rules, metric_key("compressor", "x")), names{"c"});
  CAF_CHECK_EQUAL(names_of(*rules, metric_key("brine-tank-3", "x")), names{"c"});
  CAF_CHECK_EQUAL(names_of(*rules, metric_key("compressors", "x")), names{});
  CAF_CHECK_EQUAL(names_of(*rules, metric_key("air-compressor-1", "x")), names{});
  CAF_CHECK_EQUAL(names_of(*rules, metric_key("", "x")), names{}); // node metric
}

CAF_TEST(match_combines_every_given_pattern_and_keeps_file_order) {
  auto rules = rules_from(R"({"rules": [
      {"name": "any_temp", "kind": "high", "severity": "info",
       "match": {"metric": "*temperature*"}, "threshold": 1},
      {"name": "brine_temp", "kind": "high", "severity": "info",
       "match": {"device": "brine-tank-*", "metric": "temperature_c"}, "threshold": 1},
      {"name": "site_b_only", "kind": "high", "severity": "info",
       "match": {"group": "site-b", "metric": ["temperature_c", "level_pct"]}, "threshold": 1},
      {"name": "pressures", "kind": "high", "severity": "info",
       "match": {"metric": ["suction_pressure_bar", "discharge_pressure_bar"]}, "threshold": 1},
      {"name": "device_down", "kind": "offline", "severity": "warning", "match": {}},
      {"name": "node_down", "kind": "offline", "severity": "critical",
       "match": {"scope": "node", "edge_node": "edge-*"}}]})");
  CAF_CHECK_EQUAL(names_of(*rules, metric_key("brine-tank-1", "temperature_c")),
                  (names{"any_temp", "brine_temp"}));
  CAF_CHECK_EQUAL(names_of(*rules, metric_key("ice-row-1", "temperature_c")),
                  names{"any_temp"});
  CAF_CHECK_EQUAL(names_of(*rules, series_key{"site-b", "e", "brine-tank-1", "temperature_c"}),
                  (names{"any_temp", "brine_temp", "site_b_only"}));
  CAF_CHECK_EQUAL(names_of(*rules, metric_key("compressor-1", "discharge_pressure_bar")),
                  names{"pressures"});
  CAF_CHECK_EQUAL(names_of(*rules, metric_key("compressor-1", "motor_current_a")), names{});
  // Offline rules bind to devices and nodes, never to metrics; metric rules never to devices.
  CAF_CHECK_EQUAL(names_of(*rules, device_key("compressor-1")), names{"device_down"});
  CAF_CHECK_EQUAL(names_of(*rules, series_key{"plant", "edge-1", "", ""}), names{"node_down"});
  CAF_CHECK_EQUAL(names_of(*rules, series_key{"plant", "gateway", "", ""}), names{});
}

CAF_TEST(series_without_matching_rules_binds_nothing) {
  auto rules = rules_from(one_rule(R"("kind": "high", "threshold": 25)"));
  series_alarms none{rules, metric_key("nh3-detector-1", "temperature_c"), 0};
  CAF_CHECK(none.empty());
  CAF_CHECK(none.on_value(1000, 99.0).empty());
  CAF_CHECK(!none.next_deadline());
  series_alarms one{rules, metric_key("nh3-detector-1", "ppm"), 0};
  CAF_CHECK_EQUAL(one.size(), 1u);
}

CAF_TEST(shipped_ice_plant_rules_parse_and_cover_the_plant) {
  auto parsed = rule_set::load(FLOE_ALARM_RULES_DIR "/ice_plant.json");
  if (!parsed)
    CAF_FAIL(parsed.error().to_string());
  const auto& rules = *parsed;
  auto kinds_for = [&](const series_key& key) {
    std::vector<std::string> out;
    for (auto i : rules.match(key))
      out.push_back(std::string{to_string(rules.rules()[i].kind)} + "/"
                    + to_string(rules.rules()[i].level));
    return out;
  };
  auto has = [](const std::vector<std::string>& v, const char* what) {
    return std::find(v.begin(), v.end(), what) != v.end();
  };
  auto nh3 = kinds_for(metric_key("nh3-detector-1", "NH3 Concentration"));
  CAF_CHECK(has(nh3, "high/warning"));
  CAF_CHECK(has(nh3, "high/critical"));
  CAF_CHECK(has(nh3, "rate_of_change/warning"));
  CAF_CHECK(has(nh3, "no_data/warning"));
  CAF_CHECK(has(nh3, "bad_quality/warning"));
  CAF_CHECK(has(kinds_for(metric_key("compressor-2", "Discharge Pressure")), "high/critical"));
  CAF_CHECK(has(kinds_for(metric_key("compressor-2", "Motor Current")), "high/warning"));
  CAF_CHECK(has(kinds_for(metric_key("brine-tank-1", "Brine Temperature")), "high/warning"));
  CAF_CHECK(has(kinds_for(device_key("compressor-3")), "offline/critical"));
  CAF_CHECK(has(kinds_for(device_key("can-row-12")), "offline/warning"));
  CAF_CHECK(has(kinds_for(series_key{"floe-sim", "edge-01", "", ""}), "offline/critical"));
  // Report by exception: a stopped motor's steady 0 A is not re-sent, so no no_data there.
  CAF_CHECK(!has(kinds_for(metric_key("compressor-2", "Motor Current")), "no_data/warning"));
  auto rule_named = [&](const char* name) -> const rule& {
    auto i = rules.find(name);
    CAF_REQUIRE(i >= 0);
    return rules.rules()[static_cast<size_t>(i)];
  };
  // NH3 alarms at the usual exposure limits: 25 ppm warning, 35 ppm critical.
  CAF_CHECK_EQUAL(rule_named("nh3_ppm_high_warning").limit, 25.0);
  CAF_CHECK_EQUAL(rule_named("nh3_ppm_high_critical").limit, 35.0);
  // The motor current rule rides through starting current.
  CAF_CHECK_GREATER(rule_named("compressor_motor_current_high").raise_delay_ms, 0);
}

CAF_TEST(every_ice_plant_rule_applies_to_a_series_of_the_simulator_profile) {
  // Guards against the two files drifting apart: a renamed metric or device prefix in the
  // profile would silently disable a rule.
  auto parsed = rule_set::load(FLOE_ALARM_RULES_DIR "/ice_plant.json");
  CAF_REQUIRE(parsed.has_value());
  std::ifstream in{FLOE_PROFILES_DIR "/ice_plant.json"};
  CAF_REQUIRE(in.good());
  auto profile = nlohmann::json::parse(in, nullptr, false);
  CAF_REQUIRE(!profile.is_discarded());
  std::vector<series_key> series;
  series.push_back(series_key{"floe-sim", "edge-01", "", ""});
  for (const auto& kind : profile.at("device_kinds")) {
    auto device = kind.at("id_prefix").get<std::string>() + "1";
    series.push_back(device_key(device));
    for (const auto& metric : kind.at("metrics"))
      series.push_back(metric_key(device, metric.at("name").get<std::string>()));
  }
  std::vector<size_t> uses(parsed->size());
  for (const auto& key : series)
    for (auto i : parsed->match(key))
      ++uses[i];
  for (size_t i = 0; i < uses.size(); ++i)
    if (uses[i] == 0)
      CAF_ERROR("rule " << parsed->rules()[i].name << " matches nothing in the profile");
  CAF_CHECK(std::all_of(uses.begin(), uses.end(), [](size_t n) { return n > 0; }));
}
