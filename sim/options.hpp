#pragma once
// floe-sim's command line (Boost.Program_options). Precedence: command line, then environment
// (FLOE_SIM_<OPTION>, e.g. FLOE_SIM_EDGE_NODES=100 for --edge-nodes), then config/defaults.hpp.
// Every value is range-checked here, so a bad one stops the program before it connects.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "config/defaults.hpp"

namespace floe::sim {

struct sim_options {
  std::string broker_uri{defaults::sim::broker_uri};
  std::string group_id{defaults::sim::group_id};
  std::string edge_prefix{defaults::sim::edge_prefix};
  size_t edge_nodes = defaults::sim::edge_nodes;
  size_t devices_per_node = defaults::sim::devices_per_node;
  double rate_per_s = defaults::sim::rate_per_s;
  double duration_s = defaults::sim::duration_s;
  std::string profile{defaults::sim::profile};
  std::string config_dir; // empty: default_config_dir()
  std::optional<size_t> metrics;
  uint64_t seed = defaults::sim::seed;
  std::string primary_host;
  bool progress = true;
  std::string record_path;
  std::string stats_json_path;
  int keep_alive_s = defaults::sim::keep_alive_s;
  size_t max_in_flight = defaults::sim::max_in_flight_per_node;
  // Faults for tests.
  size_t fault_skip_seq_every = 0;
  bool fault_data_before_birth = false;
  double fault_drop_every_s = 0;
  size_t fault_historical_every = 0;
  size_t fault_null_every = 0;
  double fault_device_offline_every_s = 0;
};

struct command_line {
  enum class action : uint8_t { run, help, fail };
  action what = action::fail;
  sim_options options;
  std::string text; // help text or error message
};

// Parses argv and the FLOE_SIM_* environment.
command_line parse_command_line(int argc, const char* const argv[]);

// The config directory when --config-dir is not given: the source tree's config/ (compile
// definition) if it exists, else <directory of the executable>/../config.
std::string default_config_dir();

// --profile: a path (contains '/' or ends in .json) or a name looked up as
// <config dir>/profiles/<name>.json. Error when the file does not exist.
result<std::string, std::string> resolve_profile_path(const sim_options& o);

} // namespace floe::sim
