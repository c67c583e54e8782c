#pragma once
// Simulator profiles: which metrics an edge node and its devices report and how each one
// evolves. Profiles are JSON files (config/profiles/*.json); the format is documented in
// config/profiles/README.md. Parsing is strict: an unknown key, a missing field or a value out of
// range is an error naming the field, e.g.
//   "device_kinds[1].metrics[2].signal.period_s: must be > 0".

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "sim/signal.hpp"
#include "sparkplug/types.hpp"

namespace floe::sim {

struct metric_spec {
  std::string name;
  sparkplug::datatype type = sparkplug::datatype::float64;
  signal_spec signal;
  // Constant text of a String/Text metric (signal then is a constant and unused).
  std::optional<std::string> text;
  // `while`: index of an earlier Boolean metric of the same device. While it is false the
  // metric follows `otherwise` (or holds its value when there is none).
  std::optional<size_t> gate;
  std::optional<signal_spec> otherwise;
  // First-order lag towards the signal's output (s); 0 = follow at once. Makes a pressure settle
  // over half a minute after a compressor starts instead of jumping.
  double lag_s = 0;
  // Measurement noise (standard deviation, metric unit) added after the lag, so a settled value
  // still jitters at the instrument's resolution; it does not accumulate.
  double noise = 0;
  // Clamp of the final value and rounding to `decimals` digits (resolution of the instrument).
  std::optional<double> min;
  std::optional<double> max;
  std::optional<int> decimals;
  // Birth properties: engUnit, engLow, engHigh.
  std::optional<std::string> unit;
  std::optional<double> low;
  std::optional<double> high;
};

struct device_kind {
  std::string kind;      // e.g. "compressor"
  std::string id_prefix; // device ids: <id_prefix><number>
  double weight = 1;     // share of an edge node's devices
  std::vector<metric_spec> metrics;
};

// synthetic.json: N generated metrics cycling through `datatypes`, for load tests.
struct synthetic_spec {
  size_t metrics = 10;
  std::vector<sparkplug::datatype> datatypes;
  std::string kind = "synthetic";
  std::string id_prefix = "dev-";
};

struct profile {
  std::string name;
  std::string description;
  // DATA carries only metrics whose value changed since the last birth/DATA (Sparkplug's
  // report by exception); a DDATA with no change is not sent. false: every metric every time.
  bool report_by_exception = true;
  // Period of NDATA with the node metrics that changed (s); 0 = no NDATA.
  double node_data_interval_s = 0;
  std::vector<metric_spec> node_metrics;
  std::vector<device_kind> device_kinds;
  // Present in synthetic profiles until expand_synthetic() turns it into one device kind.
  std::optional<synthetic_spec> synthetic;
};

// Parses a profile document. `source` names it in error messages (a file name).
result<profile, std::string> parse_profile(std::string_view json_text, std::string_view source);
// Reads and parses a file.
result<profile, std::string> load_profile(const std::string& path);

// Turns a synthetic profile's generator section into its device kind, with `metric_count`
// metrics when given (the --metrics option) or the profile's own count. Error when the profile
// is not synthetic but a count is given, or the count is 0.
result<void, std::string> expand_synthetic(profile& p, std::optional<size_t> metric_count);

// Total metrics of one device of each kind, for sizing and statistics.
size_t max_metrics_per_device(const profile& p);

} // namespace floe::sim
