#pragma once
// Shared by the alarm suites: rule sets from inline JSON and a compact, comparable rendering
// of alarm events. Include after <caf/test/unit_test.hpp>.

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "actors/alarms/rule_set.hpp"
#include "actors/alarms/series_alarms.hpp"

namespace floe::alarms::test {

inline std::shared_ptr<const rule_set> rules_from(std::string_view json) {
  auto parsed = rule_set::parse(json, "test.json");
  if (!parsed)
    CAF_FAIL("rule set does not parse: " << parsed.error().to_string());
  return std::make_shared<const rule_set>(std::move(*parsed));
}

// One rule in a rule file, e.g. one_rule(R"("kind": "high", "threshold": 25)").
inline std::string one_rule(std::string_view body,
                            std::string_view match = R"({"metric": "ppm"})") {
  return std::string{R"({"rules": [{"name": "r", "severity": "warning", "match": )"}
         + std::string{match} + ", " + std::string{body} + "}]}";
}

inline series_key metric_key(std::string device, std::string metric) {
  return series_key{"plant", "edge-1", std::move(device), std::move(metric)};
}

inline series_key device_key(std::string device) {
  return series_key{"plant", "edge-1", std::move(device), {}};
}

inline std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

// "raised unack_active @1000 =30; cleared unack_cleared @5000 =20": what, state, time and
// value of each event, in order.
inline std::string trace(const std::vector<alarm_event>& events) {
  std::string out;
  for (const auto& e : events) {
    if (!out.empty())
      out += "; ";
    out += to_string(e.what);
    out += ' ';
    out += to_string(e.state);
    out += " @" + std::to_string(e.timestamp_ms);
    if (e.value)
      out += " =" + number(*e.value);
  }
  return out;
}

// Feeds (time, value) pairs in order and collects every event.
inline std::vector<alarm_event>
feed(series_alarms& alarms, std::initializer_list<std::pair<int64_t, double>> samples) {
  std::vector<alarm_event> out;
  for (auto [t, v] : samples) {
    auto evs = alarms.on_value(t, v);
    out.insert(out.end(), evs.begin(), evs.end());
  }
  return out;
}

inline void append(std::vector<alarm_event>& to, std::vector<alarm_event> from) {
  to.insert(to.end(), from.begin(), from.end());
}

} // namespace floe::alarms::test
