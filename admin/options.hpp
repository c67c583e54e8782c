#pragma once
// floe-admin's command line (Boost.Program_options):
//   floe-admin [--node host:port] [--json] [--timeout ms] [-c "CMD" | CMD ...]
//   floe-admin sniff [--broker URI] [--filter TOPIC_FILTER] [--json] [--count N] [--seconds S]
// Without -c and without command words the shell is interactive (or reads commands from stdin
// when that is not a terminal). Values are checked here: a bad one is a usage error (exit 64).

#include <cstdint>
#include <string>
#include <vector>

#include "admin/commands.hpp"
#include "config/defaults.hpp"

namespace floe::admin {

struct admin_options {
  node_address node{std::string(defaults::admin::node_host), defaults::admin::node_port};
  std::string command;        // -c, or the command words joined (quoted); empty: interactive
  bool json = false;
  int64_t timeout_ms = defaults::admin::request_timeout_ms;
};

struct sniff_options {
  std::string broker_uri{defaults::admin::sniff_broker_uri};
  std::string filter{defaults::admin::sniff_filter};
  bool json = false;
  uint64_t count = 0;   // stop after this many messages (0: no limit)
  double seconds = 0;   // stop after this long (0: until Ctrl-C)
  int64_t timeout_ms = defaults::admin::sniff_connect_timeout_ms;
};

struct command_line {
  enum class action : uint8_t { run, sniff, help, fail };
  action what = action::fail;
  admin_options admin;
  sniff_options sniff;
  std::string text; // help text or error message
};

command_line parse_command_line(int argc, const char* const argv[]);

} // namespace floe::admin
