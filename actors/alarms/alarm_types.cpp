#include "actors/alarms/alarm_types.hpp"

namespace floe::alarms {

const char* to_string(severity s) noexcept {
  switch (s) {
    case severity::info:
      return "info";
    case severity::warning:
      return "warning";
    case severity::critical:
      return "critical";
  }
  return "invalid";
}

std::optional<severity> severity_from_string(std::string_view s) noexcept {
  for (auto v : {severity::info, severity::warning, severity::critical})
    if (s == to_string(v))
      return v;
  return std::nullopt;
}

const char* to_string(rule_kind k) noexcept {
  switch (k) {
    case rule_kind::high:
      return "high";
    case rule_kind::low:
      return "low";
    case rule_kind::rate_of_change:
      return "rate_of_change";
    case rule_kind::no_data:
      return "no_data";
    case rule_kind::offline:
      return "offline";
    case rule_kind::bad_quality:
      return "bad_quality";
  }
  return "invalid";
}

std::optional<rule_kind> rule_kind_from_string(std::string_view s) noexcept {
  for (auto v : {rule_kind::high, rule_kind::low, rule_kind::rate_of_change, rule_kind::no_data,
                 rule_kind::offline, rule_kind::bad_quality})
    if (s == to_string(v))
      return v;
  return std::nullopt;
}

std::optional<alarm_state> alarm_state_from_string(std::string_view s) noexcept {
  for (auto st : {alarm_state::normal, alarm_state::unack_active, alarm_state::ack_active,
                  alarm_state::unack_cleared})
    if (s == to_string(st))
      return st;
  return std::nullopt;
}

const char* to_string(alarm_state s) noexcept {
  switch (s) {
    case alarm_state::normal:
      return "normal";
    case alarm_state::unack_active:
      return "unack_active";
    case alarm_state::ack_active:
      return "ack_active";
    case alarm_state::unack_cleared:
      return "unack_cleared";
  }
  return "invalid";
}

const char* to_string(transition t) noexcept {
  switch (t) {
    case transition::raised:
      return "raised";
    case transition::cleared:
      return "cleared";
    case transition::acknowledged:
      return "acknowledged";
  }
  return "invalid";
}

const char* to_string(ack_error e) noexcept {
  switch (e) {
    case ack_error::unknown_alarm:
      return "unknown_alarm";
    case ack_error::missing_operator:
      return "missing_operator";
    case ack_error::not_active:
      return "not_active";
    case ack_error::already_acknowledged:
      return "already_acknowledged";
  }
  return "invalid";
}

std::string to_string(const series_key& key) {
  std::string out;
  out.reserve(key.group.size() + key.edge_node.size() + key.device.size() + key.metric.size()
              + 3);
  out += key.group;
  out += '/';
  out += key.edge_node;
  if (key.is_metric()) {
    out += '/';
    out += key.device;
    out += '/';
    out += key.metric;
  } else if (!key.device.empty()) {
    out += '/';
    out += key.device;
  }
  return out;
}

std::string make_alarm_id(std::string_view rule_name, const series_key& key) {
  std::string out{rule_name};
  out += '@';
  out += to_string(key);
  return out;
}

} // namespace floe::alarms
