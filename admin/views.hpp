#pragma once
// How floe-admin shows the node's answers: as text (tables, for people) and as one JSON object
// per answer (--json, for scripts; every field of the view, times as ms UTC plus ISO text).
// CAF-free: the view types are plain structs (their headers only declare CAF interfaces).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "actors/query/query_messages.hpp"

namespace floe::admin {

struct view_options {
  size_t max_value_chars = 48;  // values and properties in tables are clipped to this
  size_t sparkline_width = 60;
};

std::string nodes_text(const std::vector<host::edge_node_summary>& nodes, const view_options& o);
std::string nodes_json(const std::vector<host::edge_node_summary>& nodes);

std::string devices_text(const host::edge_node_summary& node, const view_options& o);
std::string devices_json(const host::edge_node_summary& node);

std::string device_text(const host::device_state_view& d, const view_options& o);
std::string device_json(const host::device_state_view& d);

std::string metric_text(const host::device_state_view& d, const host::metric_view& m);
std::string metric_json(const host::device_state_view& d, const host::metric_view& m);

// `from_ms`/`to_ms`: the range asked for (shown in the heading).
std::string history_text(const query::history_reply& h, int64_t from_ms, int64_t to_ms,
                         int64_t width_ms, const view_options& o);
std::string history_json(const query::history_reply& h, int64_t from_ms, int64_t to_ms,
                         int64_t width_ms);

std::string alarms_text(const std::vector<alarms::alarm_view>& list, bool active_only,
                        const view_options& o);
std::string alarms_json(const std::vector<alarms::alarm_view>& list, bool active_only);

// `previous`: an earlier sample for rates (null: none).
std::string stats_text(const query::node_stats& s, const query::node_stats* previous);
std::string stats_json(const query::node_stats& s, const query::node_stats* previous);
std::string cluster_text(const cluster::cluster_status& s);
std::string cluster_json(const cluster::cluster_status& s);

// One changed value of `tail`: "<time>  <device path>  <metric> = <value> ..." / one object.
std::string change_text(const host::device_state_view& d, const host::metric_view& m,
                        const view_options& o);
std::string change_json(const host::device_state_view& d, const host::metric_view& m);
// A device going online or offline during `tail`.
std::string status_text(const host::device_state_view& d, int64_t now_ms);
std::string status_json(const host::device_state_view& d, int64_t now_ms);

// {"command": ..., "result": text} for ack and rebirth; {"error": text, "exit_code": n}.
std::string result_json(std::string_view command, std::string_view text);
std::string error_json(std::string_view command, std::string_view text, int exit_code);
// {"commands": [{"name", "usage", "summary"}...]} or one command's usage and help.
std::string help_json(std::string_view command);

// "group/edge/device" with "-" for the node's own metrics.
std::string device_label(const host::device_state_view& d);

} // namespace floe::admin
