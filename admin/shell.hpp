#pragma once
// The commands of floe-admin, run against a node_api: one line in, text or JSON out, an exit
// code back (0 ok, 1 the node refused: unknown device etc., 2 node unreachable or no answer in
// time, 64 usage error). Also what the interactive mode needs around it: the prompt with the
// node's health and completion candidates from the node's lists. CAF-free; time and Ctrl-C come
// through shell_env so tests can drive `tail` and `stats --watch`.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "admin/commands.hpp"
#include "admin/node_api.hpp"
#include "admin/views.hpp"
#include "config/defaults.hpp"

namespace floe::admin {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;
inline constexpr int exit_unreachable = 2;
inline constexpr int exit_usage = 64;

struct shell_options {
  bool json = false;
  std::chrono::milliseconds timeout{defaults::admin::request_timeout_ms};
  std::chrono::milliseconds prompt_timeout{defaults::admin::prompt_timeout_ms};
  std::string operator_name; // `ack` without --by; empty: --by is required
  view_options view{defaults::admin::max_value_chars, defaults::admin::sparkline_width};
};

struct shell_env {
  std::function<int64_t()> now_ms;            // wall clock, ms UTC
  std::function<bool(int64_t ms)> sleep_ms;   // false: interrupted (Ctrl-C) while sleeping
  std::function<bool()> interrupted;          // Ctrl-C since the command started
  std::function<void()> clear_interrupt;      // called before each command
};

// Real clock; Ctrl-C through floe::admin::interrupt_flag() (set by a SIGINT handler).
shell_env system_env();
// The flag system_env() reads; main's SIGINT handler sets it.
volatile int& interrupt_flag();

class shell {
public:
  shell(node_api& node, std::ostream& out, std::ostream& err, shell_options opts, shell_env env);

  // Splits and runs one line. Blank lines and lines starting with '#' do nothing (exit 0).
  int run_line(std::string_view line);
  int run(const parsed_command& cmd);

  // True after `quit` / `exit`.
  bool quit_requested() const noexcept { return quit_; }

  // "floe 127.0.0.1:4710 [3/3 edge nodes online, 1 alarm]> " (queries with prompt_timeout and
  // refreshes the completion cache); "[unreachable]" when the node does not answer.
  std::string prompt();

  // Candidates for the word being typed (`text`, unescaped) after the complete words `before`.
  // Command names first, then options of the command, edge node / device paths from the node's
  // list, metric names of a device (asked from the node), active alarm ids for `ack`.
  std::vector<std::string> complete(const std::vector<std::string>& before, std::string_view text);

private:
  int fail(const parsed_command& cmd, const query_error& e);
  int usage(std::string_view command, const std::string& text);
  void print(const std::string& text_or_json);

  int cmd_help(const parsed_command& c);
  int cmd_nodes(const parsed_command& c);
  int cmd_devices(const parsed_command& c);
  int cmd_show(const parsed_command& c);
  int cmd_metric(const parsed_command& c);
  int cmd_history(const parsed_command& c);
  int cmd_alarms(const parsed_command& c);
  int cmd_ack(const parsed_command& c);
  int cmd_rebirth(const parsed_command& c);
  int cmd_stats(const parsed_command& c);
  int cmd_cluster(const parsed_command& c);
  int cmd_tail(const parsed_command& c);

  void refresh_cache(std::chrono::milliseconds t);

  node_api& node_;
  std::ostream& out_;
  std::ostream& err_;
  shell_options opts_;
  shell_env env_;
  bool quit_ = false;
  bool cache_valid_ = false;
  std::vector<host::edge_node_summary> cache_;
  std::map<std::string, std::vector<std::string>> metric_cache_; // device path -> metric names
};

} // namespace floe::admin
