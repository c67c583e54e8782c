#pragma once
// floe-admin's command language, CAF-free: splitting a line into words, the command table (names,
// usage, help), parsing one command with its options, and the value syntaxes the commands share:
// series paths, times, durations, counts and the node address.
//
// Paths: an edge node is "group/edge", a device "group/edge/device" (device "-" or "node" = the
// edge node's own metrics), a metric "group/edge/device/metric" where everything after the third
// '/' is the metric name (Sparkplug metric names may contain '/'; ids may not).
// Times (--from/--to): "now", a relative time "-10m" / "-90s" / "-2h" / "-1d" / "-500ms",
// milliseconds since the Unix epoch (all digits), or ISO 8601 "2026-11-03T10:15:00Z" (seconds,
// fraction, 'Z' or +hh:mm / -hh:mm optional; without an offset the time is UTC; "T" may be a
// blank; a date alone is midnight UTC).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace floe::admin {

template <class T>
using parsed = result<T, std::string>; // error: a message for the operator

// Words separated by blanks; "double" or 'single' quotes group (quotes removed), a backslash
// escapes the next character outside single quotes. Error on an unterminated quote.
parsed<std::vector<std::string>> split_words(std::string_view line);
// Backslash-escapes blanks, quotes and backslashes so split_words gives `word` back.
std::string quote_word(std::string_view word);

// What a positional argument of a command is, for completion and help.
enum class arg_kind : uint8_t { none, command, edge_node, device, metric, text };

struct option_spec {
  std::string_view name;     // without "--"
  std::string_view value;    // placeholder ("T", "N"); empty: a flag without value
  std::string_view help;
};

struct command_spec {
  std::string_view name;
  std::string_view usage;    // "history <group>/<edge>/<device>/<metric> [--from T] ..."
  std::string_view summary;  // one line for `help`
  std::string_view details;  // more lines for `help <cmd>` (may be empty)
  size_t min_args = 0;
  size_t max_args = 0;
  arg_kind first_arg = arg_kind::none;
  std::vector<option_spec> options;
};

// Every command, in help order.
const std::vector<command_spec>& command_table();
const command_spec* find_command(std::string_view name);
// Names of the commands that start with `prefix`, in table order.
std::vector<std::string> command_names(std::string_view prefix = {});

struct parsed_command {
  const command_spec* spec = nullptr;
  std::string name; // as in the table ("exit" becomes "quit")
  std::vector<std::string> args;
  std::map<std::string, std::string> options; // flags map to ""

  bool has(std::string_view option) const;
  // The option's value, nullopt when not given.
  std::optional<std::string> get(std::string_view option) const;
};

// Parses `words` (words[0] is the command): known command, argument count, options known to that
// command ("--opt value" or "--opt=value"; a value may start with '-', e.g. "--from -10m").
// Error texts name the command and point to `help <cmd>`.
parsed<parsed_command> parse_command(const std::vector<std::string>& words);

// `help` / `help <cmd>` text.
std::string help_text();
parsed<std::string> help_text(std::string_view command);

// --- paths ---------------------------------------------------------------------------------

struct edge_path {
  std::string group;
  std::string edge_node;
};
struct device_path {
  std::string group;
  std::string edge_node;
  std::string device; // "" = the edge node's own metrics
};
struct metric_path {
  std::string group;
  std::string edge_node;
  std::string device; // "" = the edge node's own metrics
  std::string metric;
};

parsed<edge_path> parse_edge_path(std::string_view text);
parsed<device_path> parse_device_path(std::string_view text);
parsed<metric_path> parse_metric_path(std::string_view text);
// "group/edge/device" with "-" for node metrics; "group/edge/device/metric" likewise.
std::string to_string(const device_path& p);
std::string to_string(const metric_path& p);

// --- values --------------------------------------------------------------------------------

// "10s" "1m" "1h" "2d" "500ms" (also "1.5s"): a positive duration in ms. A bare number is an
// error (units are required).
parsed<int64_t> parse_duration_ms(std::string_view text);
// See the header comment; `now_ms` is the reference for "now" and relative times.
parsed<int64_t> parse_time_ms(std::string_view text, int64_t now_ms);

struct time_range {
  int64_t from_ms = 0; // inclusive
  int64_t to_ms = 0;   // exclusive
};
// --from/--to as given (nullopt = not given): to defaults to now (+1 ms so that a point stamped
// "now" is included), from to `to - default_span_ms`. Error when from is not before to.
parsed<time_range> parse_time_range(const std::optional<std::string>& from,
                                    const std::optional<std::string>& to, int64_t now_ms,
                                    int64_t default_span_ms);

// A non-negative decimal integer for option `what` ("--limit").
parsed<uint64_t> parse_count(std::string_view text, std::string_view what);

struct node_address {
  std::string host;
  uint16_t port = 0;
};
// "host:port", "[v6addr]:port", ":port" (host = default_host) or "port" alone.
parsed<node_address> parse_node_address(std::string_view text, std::string_view default_host);
std::string to_string(const node_address& a);

} // namespace floe::admin
