#pragma once
// The sniffer without MQTT: one received message in, one output line (or JSON object) out.
// Decodes the topic and payload with floe's codec, names alias-only metrics and types untyped
// values from the births seen earlier, and runs sequence_tracker for the violations, which are
// appended to the line as "!! <text>".
//
// Line: <arrival time> <TYPE> <group>/<edge>[/<device>] [seq N] [bdSeq N] <n> metrics
//       <name>=<value>, ... (first metrics) [!! violation ...]

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "admin/sniff_tracker.hpp"
#include "config/defaults.hpp"
#include "sparkplug/types.hpp"

namespace floe::admin {

struct sniff_format {
  bool json = false;
  size_t metrics_shown = defaults::admin::sniff_metrics_shown;
  size_t max_value_chars = defaults::admin::max_value_chars;
};

class sniff_core {
public:
  explicit sniff_core(sniff_format f);

  // The line for one message (no trailing newline).
  std::string on_message(std::string_view topic, std::string_view payload, int64_t arrival_ms);

  uint64_t messages() const noexcept { return messages_; }
  uint64_t violations() const noexcept { return violations_; }
  const sequence_tracker& tracker() const noexcept { return tracker_; }

private:
  struct known_metric {
    std::string name;
    sparkplug::datatype type = sparkplug::datatype::unknown;
  };
  struct edge_names {
    std::map<uint64_t, known_metric> by_alias;
    std::map<std::string, sparkplug::datatype> types; // "device\x1fname" -> datatype
  };

  sniff_format format_;
  sequence_tracker tracker_;
  std::map<std::string, edge_names> names_; // "group/edge node"
  uint64_t messages_ = 0;
  uint64_t violations_ = 0;
};

} // namespace floe::admin
