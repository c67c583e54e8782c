#pragma once
// Vocabulary of the alarm engine: what a rule is about (series_key), what goes in (sample) and
// what comes out (alarm_event, alarm_status). Plain data without CAF: the device actor owns the
// evaluators and wraps these types in its messages (it also writes their `inspect`).
//
// Alarm model (ISA-18.2 states, one alarm per rule and series):
//
//   normal ──raise──► unack_active ──ack──► ack_active ──clear──► normal
//                          │                                  ▲
//                          └──clear──► unack_cleared ──ack────┘
//                                          │
//                                          └──raise──► unack_active (same occurrence)
//
// An occurrence (one alarm record for history) opens when the alarm leaves `normal` and closes
// when it returns there, i.e. once it is cleared AND acknowledged, in either order. A cleared
// alarm that nobody acknowledged stays `unack_cleared` (ISA "return to normal, unacknowledged")
// and is raised again within the same occurrence if its condition comes back.

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <string_view>

namespace floe::alarms {

// Sparkplug quality codes (metric property "Quality", Int32; notes §3.11). Any other code
// counts as bad.
inline constexpr int32_t quality_bad = 0;
inline constexpr int32_t quality_good = 192;
inline constexpr int32_t quality_stale = 500;

enum class severity : uint8_t { info, warning, critical };
const char* to_string(severity s) noexcept;
std::optional<severity> severity_from_string(std::string_view s) noexcept;

enum class rule_kind : uint8_t { high, low, rate_of_change, no_data, offline, bad_quality };
const char* to_string(rule_kind k) noexcept;
std::optional<rule_kind> rule_kind_from_string(std::string_view s) noexcept;

enum class alarm_state : uint8_t { normal, unack_active, ack_active, unack_cleared };
const char* to_string(alarm_state s) noexcept;

// What happened to an alarm; the event's `state` is the state after it.
enum class transition : uint8_t { raised, cleared, acknowledged };
const char* to_string(transition t) noexcept;

// The thing an alarm is about. A metric series has a non-empty `metric`. A device (for offline
// rules) has an empty `metric`; the edge node itself has empty `device` and `metric`. Node
// metrics (NBIRTH/NDATA) are metric series with an empty `device`.
struct series_key {
  std::string group;
  std::string edge_node;
  std::string device;
  std::string metric;

  bool is_metric() const noexcept { return !metric.empty(); }
  friend bool operator==(const series_key& a, const series_key& b) {
    return a.group == b.group && a.edge_node == b.edge_node && a.device == b.device
           && a.metric == b.metric;
  }
};

// "group/edge/device/metric" for a metric series ("group/edge//metric" for a node metric),
// "group/edge/device" for a device, "group/edge" for an edge node. Unambiguous because
// Sparkplug ids contain no '/' (metric names may, but they come last).
std::string to_string(const series_key& key);

// One update of a metric series. `timestamp_ms` must come from the same clock as the `now_ms`
// given to on_tick (see series_alarms.hpp).
struct sample {
  int64_t timestamp_ms = 0;
  // Numeric reading; Boolean as 0/1. nullopt: null value or a type thresholds cannot judge
  // (string, array, ...): such a sample still counts as data for no_data rules.
  std::optional<double> value;
  int32_t quality = quality_good;
};

// One transition of one alarm, for storage and history. Owns its data.
struct alarm_event {
  std::string alarm_id; // "<rule>@<series>": stable per rule and series, see make_alarm_id
  std::string rule;
  series_key series;
  rule_kind kind = rule_kind::high;
  severity level = severity::warning;
  transition what = transition::raised;
  alarm_state state = alarm_state::normal; // after the transition
  // ms since the Unix epoch. Never earlier than the alarm's previous transition.
  int64_t timestamp_ms = 0;
  // raised/cleared: the reading behind the transition (high/low: the value; rate_of_change: the
  // rate in units per second; bad_quality: the quality code); nullopt for no_data, offline and
  // acknowledged.
  std::optional<double> value;
  // Rendered from the rule's template when the occurrence was raised; the same for all events
  // of one occurrence.
  std::string message;
  std::string acknowledged_by; // acknowledged only
  // Counts occurrences of this alarm id from 1; (alarm_id, occurrence) names one alarm record.
  uint64_t occurrence = 0;
};

// Current state of one alarm of one series (for queries and displays).
struct alarm_status {
  std::string alarm_id;
  std::string rule;
  rule_kind kind = rule_kind::high;
  severity level = severity::warning;
  alarm_state state = alarm_state::normal;
  uint64_t occurrence = 0;                // 0: never raised
  std::optional<int64_t> raised_ms;       // last raise of the current or last occurrence
  std::optional<double> raised_value;
  std::optional<int64_t> cleared_ms;      // set while unack_cleared, and after a close
  std::optional<int64_t> acknowledged_ms; // set while ack_active, and after a close
  std::string acknowledged_by;
  std::string message;
};

std::string make_alarm_id(std::string_view rule_name, const series_key& key);

// What a restart keeps of an alarm that was not normal: its newest stored event (decisions D17).
struct saved_alarm {
  alarm_state state = alarm_state::normal;
  uint64_t occurrence = 0;
  int64_t last_transition_ms = 0;
  std::string message;
  std::string acknowledged_by;
};
using saved_alarms = std::unordered_map<std::string, saved_alarm>; // by alarm id

// "unack_active" -> alarm_state::unack_active; nullopt for anything else than to_string's names.
std::optional<alarm_state> alarm_state_from_string(std::string_view s) noexcept;

enum class ack_error : uint8_t {
  unknown_alarm,        // no alarm with this id in this series
  missing_operator,     // empty operator name
  not_active,           // alarm is normal: nothing to acknowledge
  already_acknowledged, // alarm is ack_active
};
const char* to_string(ack_error e) noexcept;

} // namespace floe::alarms
