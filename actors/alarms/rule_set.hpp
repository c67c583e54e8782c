#pragma once
// Alarm rules: parsed from a JSON rule file once, immutable afterwards, shared read-only by
// every device actor (std::shared_ptr<const rule_set>; safe across threads). The file format
// is documented in config/alarms/README.md; in short:
//
//   { "rules": [ { "name": "nh3_high", "kind": "high", "severity": "critical",
//                  "match": { "device_kind": "nh3-detector", "metric": "ppm" },
//                  "threshold": 35, "deadband": 3, "raise_delay_ms": 0, "clear_delay_ms": 5000,
//                  "message": "{device}: ammonia {value} ppm (limit {limit})" } ] }
//
// Message placeholders: {rule} {severity} {kind} {series} {group} {edge_node} {device}
// {metric} {value} {limit} {deadband}; `{{` and `}}` stand for literal braces. {value} is the
// event's reading (see alarm_event::value); {limit} is the threshold, the rate limit per second,
// or the no_data timeout ("60 s"), and "-" for offline and bad_quality rules.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "actors/alarms/alarm_types.hpp"
#include "actors/alarms/name_pattern.hpp"
#include "common/result.hpp"

namespace floe::alarms {

// Offline rules watch either devices or edge nodes.
enum class offline_scope : uint8_t { device, node };

// Which series a rule applies to. All given conditions must hold (each list is any-of).
struct series_match {
  name_patterns group;
  name_patterns edge_node;
  name_patterns device;
  name_patterns metric;
  // Device kinds: a device id matches kind K when it equals K or continues after K with a
  // character that is not a letter ("compressor" matches "compressor-2" and "compressor7",
  // not "compressors"). Empty: any device.
  std::vector<std::string> device_kinds;
  offline_scope scope = offline_scope::device; // offline rules only
};

struct rule {
  std::string name; // [A-Za-z0-9_.-]+, unique in its rule set
  rule_kind kind = rule_kind::high;
  severity level = severity::warning;
  series_match match;
  // high/low: the threshold (unit of the metric); rate_of_change: the limit (unit per second).
  // high raises at value >= limit and clears below limit - deadband; low raises at
  // value <= limit and clears above limit + deadband; rate_of_change raises at |rate| >= limit
  // and clears below limit - deadband.
  double limit = 0;
  double deadband = 0;
  // The raise (clear) condition must hold this long before the alarm raises (clears). Not
  // used by no_data, which raises after timeout_ms and clears on the next update.
  int64_t raise_delay_ms = 0;
  int64_t clear_delay_ms = 0;
  int64_t span_ms = 0;        // rate_of_change: change measured over this span
  int64_t timeout_ms = 0;     // no_data: longest silence
  bool include_stale = false; // bad_quality: quality 500 (stale) counts as bad too
  std::string message;        // template, validated when parsed
};

// Where a rule file is wrong. to_string() gives e.g.
//   config/alarms/x.json: rule 'nh3_high': field 'threshold': must be a finite number
struct config_error {
  std::string source; // file path, or the name given to rule_set::parse
  std::string rule;   // rule name, or "rules[<index>]" while the name is unknown; empty: file
  std::string field;  // e.g. "threshold", "match.device_kind[1]"; empty: the whole rule/file
  std::string detail;

  std::string to_string() const;
};

class rule_set {
public:
  rule_set() = default;

  // Parses and validates a rule file's text; `source` names it in errors. Unknown fields are
  // errors (they are usually typos of a known one).
  static result<rule_set, config_error> parse(std::string_view json_text, std::string source);
  // Reads and parses a file (at most defaults::alarms::max_rule_file_bytes).
  static result<rule_set, config_error> load(const std::string& path);

  const std::vector<rule>& rules() const noexcept { return rules_; }
  size_t size() const noexcept { return rules_.size(); }
  // Index of the rule with this name, or -1.
  int64_t find(std::string_view name) const noexcept;

  // Indices into rules() of the rules that apply to `key`, in file order. Metric series get
  // every rule but offline ones; devices and edge nodes (empty metric) get only offline rules
  // of the matching scope. Candidates come from an index on literal metric names, so the cost
  // grows with the rules that could match, not with the whole set.
  std::vector<uint32_t> match(const series_key& key) const;

private:
  bool applies(const rule& r, const series_key& key) const noexcept;

  std::vector<rule> rules_;
  std::unordered_map<std::string, std::vector<uint32_t>> by_metric_; // literal metric names
  std::vector<uint32_t> any_metric_; // metric rules with a wildcard metric pattern
  std::vector<uint32_t> offline_;    // offline rules
};

// Renders a rule's message template for one series and reading (see the placeholder list at
// the top). `value` renders as "-" when absent; numbers with up to 6 significant digits.
std::string render_message(const rule& r, const series_key& key, std::optional<double> value);

} // namespace floe::alarms
