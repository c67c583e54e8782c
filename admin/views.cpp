#include "admin/views.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "admin/commands.hpp"
#include "admin/text.hpp"

namespace floe::admin {

namespace {

using json = nlohmann::json;
using align = text_table::align;

// Values from edge nodes may be invalid UTF-8: never throw on output.
std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json time_json(int64_t ms) {
  return ms == 0 ? json(nullptr) : json(format_time(ms));
}

std::string yes_no(bool b) {
  return b ? "yes" : "no";
}

std::string properties_text(const std::map<std::string, std::string>& props) {
  std::string out;
  for (auto& [k, v] : props) {
    if (!out.empty())
      out += ", ";
    out += k + "=" + v;
  }
  return out;
}

std::string rate_text(uint64_t now, uint64_t before, double secs) {
  if (secs <= 0 || now < before)
    return {};
  char buf[48];
  std::snprintf(buf, sizeof buf, " (%.1f/s)", static_cast<double>(now - before) / secs);
  return buf;
}

json summary_json(const host::edge_node_summary& n) {
  json devices = json::array();
  size_t online = 0;
  for (auto& d : n.devices) {
    online += d.online ? 1 : 0;
    devices.push_back({{"id", d.id},
                       {"online", d.online},
                       {"birth_timestamp_ms", d.birth_timestamp},
                       {"birth_time", time_json(d.birth_timestamp)}});
  }
  return {{"group", n.group},
          {"edge_node", n.edge_node},
          {"online", n.online},
          {"bdseq", n.bdseq < 0 ? json(nullptr) : json(n.bdseq)},
          {"last_seq", n.last_seq < 0 ? json(nullptr) : json(n.last_seq)},
          {"birth_timestamp_ms", n.birth_timestamp},
          {"birth_time", time_json(n.birth_timestamp)},
          {"offline_timestamp_ms", n.offline_timestamp},
          {"messages", n.messages},
          {"metrics", n.metrics},
          {"rebirths_requested", n.rebirths_requested},
          {"protocol_faults", n.protocol_faults},
          {"malformed_payloads", n.malformed_payloads},
          {"faults", n.faults},
          {"devices_online", online},
          {"devices_total", n.devices.size()},
          {"devices", devices}};
}

json metric_view_json(const host::metric_view& m) {
  return {{"name", m.name},
          {"alias", m.alias < 0 ? json(nullptr) : json(m.alias)},
          {"datatype", m.datatype},
          {"value", m.value},
          {"number", m.numeric && std::isfinite(m.number) ? json(m.number) : json(nullptr)},
          {"timestamp_ms", m.timestamp_ms},
          {"time", time_json(m.timestamp_ms)},
          {"quality", m.quality},
          {"quality_text", format_quality(m.quality)},
          {"stale", m.stale},
          {"updates", m.updates},
          {"properties", m.properties}};
}

json device_view_json(const host::device_state_view& d) {
  json metrics = json::array();
  for (auto& m : d.metrics)
    metrics.push_back(metric_view_json(m));
  json alarms = json::array();
  for (auto& a : d.alarms)
    alarms.push_back({{"alarm_id", a.alarm_id},
                      {"state", a.state},
                      {"severity", a.severity},
                      {"message", a.message}});
  return {{"group", d.group},
          {"edge_node", d.edge_node},
          {"device", d.device},
          {"path", device_label(d)},
          {"online", d.online},
          {"birth_timestamp_ms", d.birth_timestamp},
          {"birth_time", time_json(d.birth_timestamp)},
          {"offline_timestamp_ms", d.offline_timestamp},
          {"messages", d.messages},
          {"metrics", metrics},
          {"alarms", alarms}};
}

json alarm_json(const alarms::alarm_view& a) {
  return {{"alarm_id", a.alarm_id},
          {"rule", a.rule},
          {"series", a.series},
          {"kind", a.kind},
          {"severity", a.severity},
          {"transition", a.transition},
          {"state", a.state},
          {"timestamp_ms", a.timestamp_ms},
          {"time", time_json(a.timestamp_ms)},
          {"value", a.value},
          {"message", a.message},
          {"occurrence", a.occurrence},
          {"acknowledged_by", a.acknowledged_by}};
}

} // namespace

std::string device_label(const host::device_state_view& d) {
  return to_string(device_path{d.group, d.edge_node, d.device});
}

// --- nodes / devices -------------------------------------------------------------------------

std::string nodes_text(const std::vector<host::edge_node_summary>& nodes, const view_options& o) {
  if (nodes.empty())
    return "no edge nodes seen yet\n";
  text_table t({"EDGE NODE", "STATE", "BDSEQ", "BIRTH", "MESSAGES", "REBIRTHS", "FAULTS",
                "DEVICES"},
               {align::left, align::left, align::right, align::left, align::right, align::right,
                align::left, align::right});
  size_t online = 0;
  for (auto& n : nodes) {
    online += n.online ? 1 : 0;
    size_t dev_online = static_cast<size_t>(std::count_if(
      n.devices.begin(), n.devices.end(), [](const host::device_brief& d) { return d.online; }));
    std::string faults = std::to_string(n.protocol_faults);
    if (!n.faults.empty()) {
      std::string kinds;
      for (auto& [k, v] : n.faults)
        kinds += (kinds.empty() ? "" : ", ") + k + " " + std::to_string(v);
      faults += " (" + clip(kinds, o.max_value_chars) + ")";
    }
    t.add({n.group + "/" + n.edge_node, n.online ? "online" : "offline",
           n.bdseq < 0 ? "-" : std::to_string(n.bdseq), format_time(n.birth_timestamp),
           std::to_string(n.messages), std::to_string(n.rebirths_requested), faults,
           std::to_string(dev_online) + "/" + std::to_string(n.devices.size())});
  }
  return t.render() + std::to_string(online) + "/" + std::to_string(nodes.size())
         + " edge nodes online\n";
}

std::string nodes_json(const std::vector<host::edge_node_summary>& nodes) {
  json list = json::array();
  size_t online = 0;
  for (auto& n : nodes) {
    online += n.online ? 1 : 0;
    list.push_back(summary_json(n));
  }
  return dump({{"command", "nodes"},
               {"edge_nodes", list},
               {"online", online},
               {"total", nodes.size()}});
}

std::string devices_text(const host::edge_node_summary& n, const view_options&) {
  std::string head = n.group + "/" + n.edge_node + "  " + (n.online ? "online" : "offline")
                     + "  " + std::to_string(n.devices.size()) + " devices\n";
  if (n.devices.empty())
    return head;
  text_table t({"DEVICE", "STATE", "BIRTH"});
  for (auto& d : n.devices)
    t.add({d.id, d.online ? "online" : "offline", format_time(d.birth_timestamp)});
  return head + t.render();
}

std::string devices_json(const host::edge_node_summary& n) {
  auto j = summary_json(n);
  j["command"] = "devices";
  return dump(j);
}

// --- show / metric -------------------------------------------------------------------------

std::string device_text(const host::device_state_view& d, const view_options& o) {
  std::string out = device_label(d) + "  ";
  if (d.online)
    out += "online, born " + format_time(d.birth_timestamp);
  else if (d.offline_timestamp != 0)
    out += "OFFLINE since " + format_time(d.offline_timestamp);
  else
    out += "offline";
  out += ", " + std::to_string(d.messages) + " messages, " + std::to_string(d.metrics.size())
         + " metrics\n";
  if (!d.metrics.empty()) {
    text_table t({"METRIC", "VALUE", "TYPE", "TIMESTAMP", "QUALITY", "STALE", "PROPERTIES"});
    for (auto& m : d.metrics)
      t.add({m.name, clip(m.value, o.max_value_chars), m.datatype, format_time(m.timestamp_ms),
             format_quality(m.quality), m.stale ? "stale" : "",
             clip(properties_text(m.properties), o.max_value_chars)});
    out += t.render();
  }
  if (!d.alarms.empty()) {
    out += "alarms:\n";
    text_table t({"ALARM", "STATE", "SEVERITY", "MESSAGE"});
    for (auto& a : d.alarms)
      t.add({a.alarm_id, a.state, a.severity, clip(a.message, 2 * o.max_value_chars)});
    out += t.render();
  }
  return out;
}

std::string device_json(const host::device_state_view& d) {
  auto j = device_view_json(d);
  j["command"] = "show";
  return dump(j);
}

std::string metric_text(const host::device_state_view& d, const host::metric_view& m) {
  text_table t({"", ""});
  t.add({"series", device_label(d) + "/" + m.name});
  t.add({"value", m.value});
  t.add({"datatype", m.datatype});
  t.add({"timestamp", format_time(m.timestamp_ms)});
  t.add({"quality", format_quality(m.quality)});
  t.add({"stale", yes_no(m.stale)});
  t.add({"alias", m.alias < 0 ? "-" : std::to_string(m.alias)});
  t.add({"updates", std::to_string(m.updates)});
  t.add({"device", std::string(d.online ? "online" : "offline")});
  for (auto& [k, v] : m.properties)
    t.add({"property " + k, v});
  // Drop the empty heading line.
  auto text = t.render();
  return text.substr(text.find('\n') + 1);
}

std::string metric_json(const host::device_state_view& d, const host::metric_view& m) {
  auto j = metric_view_json(m);
  j["command"] = "metric";
  j["series"] = device_label(d) + "/" + m.name;
  j["group"] = d.group;
  j["edge_node"] = d.edge_node;
  j["device"] = d.device;
  j["device_online"] = d.online;
  return dump(j);
}

// --- history -------------------------------------------------------------------------------

std::string history_text(const query::history_reply& h, int64_t from_ms, int64_t to_ms,
                         int64_t width_ms, const view_options& o) {
  size_t n = width_ms == 0 ? h.points.size() : h.windows.size();
  std::string out = h.series + "  " + format_time(from_ms) + " .. " + format_time(to_ms) + "  "
                    + std::to_string(n) + (width_ms == 0 ? " points" : " windows of "
                                                                      + format_duration(width_ms))
                    + (h.truncated ? " (truncated: raise --limit or narrow the range)" : "")
                    + "\n";
  if (n == 0)
    return out;
  std::vector<double> values;
  double lo = INFINITY, hi = -INFINITY;
  auto note = [&](double v) {
    values.push_back(v);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  };
  if (width_ms == 0) {
    text_table t({"TIME", "VALUE", "QUALITY"}, {align::left, align::right, align::left});
    for (auto& p : h.points) {
      t.add({format_time(p.timestamp_ms), clip(p.value, o.max_value_chars),
             format_quality(p.quality) + (p.historical ? " (historical)" : "")});
      if (p.numeric && std::isfinite(p.number))
        note(p.number);
    }
    out += t.render();
  } else {
    bool numeric = std::any_of(h.windows.begin(), h.windows.end(),
                               [](const query::window_view& w) { return w.kind == "numeric"; });
    if (numeric) {
      text_table t({"START", "COUNT", "MIN", "MEAN", "MAX", ""},
                   {align::left, align::right, align::right, align::right, align::right});
      for (auto& w : h.windows) {
        bool has = w.kind == "numeric" && w.count > 0;
        t.add({format_time(w.start_ms), std::to_string(w.count),
               has ? format_number(w.min) : "-", has ? format_number(w.mean) : "-",
               has ? format_number(w.max) : "-", w.open ? "open" : ""});
        if (has && std::isfinite(w.mean))
          note(w.mean);
        else
          values.push_back(NAN);
      }
      out += t.render();
    } else {
      text_table t({"START", "COUNT", "LAST", "CHANGES", "TIME TRUE", ""},
                   {align::left, align::right, align::left, align::right, align::right});
      for (auto& w : h.windows)
        t.add({format_time(w.start_ms), std::to_string(w.count),
               clip(w.last_value, o.max_value_chars), std::to_string(w.changes),
               w.kind == "boolean" ? format_duration(w.time_true_ms) : "-",
               w.open ? "open" : ""});
      out += t.render();
    }
  }
  bool any = std::any_of(values.begin(), values.end(), [](double v) { return !std::isnan(v); });
  if (any)
    out += sparkline(values, o.sparkline_width) + "  min " + format_number(lo) + "  max "
           + format_number(hi) + "\n";
  return out;
}

std::string history_json(const query::history_reply& h, int64_t from_ms, int64_t to_ms,
                         int64_t width_ms) {
  json j{{"command", "history"},
         {"series", h.series},
         {"series_id", h.series_id},
         {"from_ms", from_ms},
         {"to_ms", to_ms},
         {"from", format_time(from_ms)},
         {"to", format_time(to_ms)},
         {"window_ms", width_ms},
         {"truncated", h.truncated}};
  if (width_ms == 0) {
    json points = json::array();
    for (auto& p : h.points)
      points.push_back({{"timestamp_ms", p.timestamp_ms},
                        {"time", format_time(p.timestamp_ms)},
                        {"value", p.value},
                        {"number", p.numeric && std::isfinite(p.number) ? json(p.number)
                                                                        : json(nullptr)},
                        {"quality", p.quality},
                        {"historical", p.historical}});
    j["points"] = points;
  } else {
    json windows = json::array();
    for (auto& w : h.windows) {
      json x{{"start_ms", w.start_ms}, {"start", format_time(w.start_ms)},
             {"width_ms", w.width_ms}, {"kind", w.kind},
             {"open", w.open},         {"count", w.count},
             {"changes", w.changes}};
      if (w.kind == "numeric") {
        for (auto [k, v] : {std::pair<const char*, double>{"min", w.min}, {"max", w.max},
                            {"sum", w.sum}, {"mean", w.mean}, {"stddev", w.stddev},
                            {"first", w.first}, {"last", w.last}})
          x[k] = std::isfinite(v) ? json(v) : json(nullptr);
      } else {
        x["last_value"] = w.last_value;
        x["time_true_ms"] = w.time_true_ms;
      }
      windows.push_back(x);
    }
    j["windows"] = windows;
  }
  return dump(j);
}

// --- alarms --------------------------------------------------------------------------------

std::string alarms_text(const std::vector<alarms::alarm_view>& list, bool active_only,
                        const view_options& o) {
  if (list.empty())
    return active_only ? "no active alarms\n" : "no alarm history\n";
  std::vector<std::string> head{"TIME", "ALARM", "SEVERITY", "STATE"};
  if (!active_only)
    head.insert(head.begin() + 3, "TRANSITION");
  for (auto h : {"SERIES", "VALUE", "MESSAGE", "ACK BY"})
    head.emplace_back(h);
  text_table t(head);
  for (auto& a : list) {
    std::vector<std::string> row{format_time(a.timestamp_ms), a.alarm_id, a.severity, a.state};
    if (!active_only)
      row.insert(row.begin() + 3, a.transition);
    row.push_back(a.series);
    row.push_back(clip(a.value, o.max_value_chars));
    row.push_back(clip(a.message, 2 * o.max_value_chars));
    row.push_back(a.acknowledged_by);
    t.add(row);
  }
  return t.render() + std::to_string(list.size())
         + (active_only ? " active alarms\n" : " alarm events\n");
}

std::string alarms_json(const std::vector<alarms::alarm_view>& list, bool active_only) {
  json a = json::array();
  for (auto& x : list)
    a.push_back(alarm_json(x));
  return dump({{"command", "alarms"}, {"active_only", active_only}, {"alarms", a},
               {"count", list.size()}});
}

// --- stats ---------------------------------------------------------------------------------

std::string stats_text(const query::node_stats& s, const query::node_stats* prev) {
  double secs = prev != nullptr && prev->now_ms > 0 ? (s.now_ms - prev->now_ms) / 1000.0 : 0;
  auto rate = [&](uint64_t now, uint64_t query::node_stats::*field) {
    return prev == nullptr ? std::string() : rate_text(now, (*prev).*field, secs);
  };
  auto u = [](uint64_t v) { return std::to_string(v); };
  text_table t({"", ""});
  t.add({"host id", s.host_id + "  (at " + format_time(s.now_ms) + ", up "
                      + format_duration(s.uptime_ms) + ")"});
  const auto& in = s.ingest;
  std::string mqtt = std::string(in.connected ? "connected" : "DISCONNECTED") + ", "
                     + u(in.connects) + " connects, " + u(in.connection_losses) + " losses";
  t.add({"mqtt", mqtt});
  std::string msgs = u(in.messages);
  if (prev != nullptr)
    msgs += rate_text(in.messages, prev->ingest.messages, secs);
  t.add({"  messages", msgs + ", " + u(in.bytes) + " bytes, " + u(in.ignored_topics)
                         + " ignored, " + u(in.bad_topics) + " bad topics"});
  char backlog[160];
  char bound[48] = "no bound";
  if (in.backlog_limit_bytes > 0)
    std::snprintf(bound, sizeof bound, "bound %.1f MiB", in.backlog_limit_bytes / 1048576.0);
  std::snprintf(backlog, sizeof backlog, "%.1f MiB held, %s; paused %llu times, %llu ms in all",
                in.backlog_bytes / 1048576.0, bound,
                static_cast<unsigned long long>(in.backlog_stalls),
                static_cast<unsigned long long>(in.backlog_stalled_ms));
  t.add({"  backlog", backlog});
  t.add({"edge nodes", u(s.edge_nodes_online) + "/" + u(in.edge_nodes) + " online"});
  t.add({"devices", u(s.devices_online) + "/" + u(s.devices) + " online"});
  t.add({"sparkplug", u(s.sparkplug_messages) + " messages"
                        + rate(s.sparkplug_messages, &query::node_stats::sparkplug_messages)
                        + ", " + u(s.metrics) + " metric values"
                        + rate(s.metrics, &query::node_stats::metrics)});
  t.add({"  problems", u(s.rebirths_requested) + " rebirths requested, " + u(s.protocol_faults)
                         + " protocol faults, " + u(s.malformed_payloads) + " malformed"});
  const auto& st = s.store;
  std::string points = u(st.points_committed) + " points committed";
  if (prev != nullptr)
    points += rate_text(st.points_committed, prev->store.points_committed, secs);
  t.add({"store", st.location});
  t.add({"  writes", points + ", " + u(st.points_pending) + " pending, " + u(st.points_dropped)
                       + " dropped, " + u(st.batches) + " batches"});
  if (st.commit_latency_p50_ms != 0 || st.commit_latency_p99_ms != 0)
    t.add({"  latency", "metric timestamp to commit: p50 " + std::to_string(st.commit_latency_p50_ms)
                          + " ms, p99 " + std::to_string(st.commit_latency_p99_ms) + " ms"});
  t.add({"  also", u(st.windows_committed) + " windows, " + u(st.alarm_events_committed)
                     + " alarm events, " + u(st.births_committed) + " births, "
                     + u(st.retention_runs) + " retention runs"});
  t.add({"  failures", u(st.commit_failures) + " failed commits"
                         + (st.last_error.empty() ? "" : ", last: " + st.last_error)});
  for (size_t i = 0; i < st.family_names.size() && i < st.family_bytes.size(); ++i)
    t.add({"  " + st.family_names[i], u(st.family_bytes[i]) + " bytes"});
  t.add({"windows", u(s.open_windows) + " open, " + u(s.windows_emitted) + " emitted"});
  t.add({"alarms", u(s.active_alarms) + " active"});
  t.add({"actors", u(s.actors)});
  char process[128];
  std::snprintf(process, sizeof process, "cpu %.1f s, rss %.1f MiB, heap %.1f MiB",
                s.cpu_ms / 1000.0, s.rss_bytes / 1048576.0, s.heap_bytes / 1048576.0);
  t.add({"process", process});
  auto text = t.render();
  return text.substr(text.find('\n') + 1);
}

std::string cluster_text(const cluster::cluster_status& s) {
  std::string out;
  auto u = [](uint64_t v) { return std::to_string(v); };
  if (!s.enabled) {
    out = "not a cluster member (no --cluster-port): host " + s.self
          + " owns every edge node it hears of\n";
    return out;
  }
  out = "member " + s.self + ": " + (s.majority ? "majority" : "NO MAJORITY (owns nothing)")
        + ", " + u(s.live) + " of " + u(s.cluster_size) + " live; owns " + u(s.owned.size())
        + " of " + u(s.known_edge_nodes) + " known edge nodes\n";
  text_table t({"MEMBER", "STATE", "HEARTBEAT", "SINCE", "REPORTS LIVE"});
  for (const auto& m : s.members) {
    std::string state = m.self ? "self" : m.up ? "up" : m.connected ? "linked" : "down";
    if (!m.self && !m.up && !m.last_down.empty())
      state += " (" + m.last_down + ")";
    std::string hb = m.heartbeat_age_ms < 0 ? "-" : format_duration(m.heartbeat_age_ms) + " ago";
    std::string since = m.changed_age_ms < 0 ? "-" : format_duration(m.changed_age_ms);
    std::string reports;
    for (const auto& r : m.reported)
      reports += (reports.empty() ? "" : ",") + r;
    t.add({m.id + (m.configured ? "" : " *"), state, hb, since, reports.empty() ? "-" : reports});
  }
  out += t.render();
  if (std::any_of(s.members.begin(), s.members.end(),
                  [](const cluster::member_status& m) { return !m.configured; }))
    out += "* not in this member's --seeds: it joined by connecting here\n";
  out += "acquired " + u(s.acquisitions) + ", released " + u(s.releases)
         + " edge nodes since start; " + u(s.connect_failures) + " failed connects; "
         + u(s.heartbeats_received) + " heartbeats received\n";
  if (!s.owned.empty()) {
    out += "owned:";
    size_t shown = 0;
    for (const auto& k : s.owned) {
      if (++shown > 20) {
        out += " ... (" + u(s.owned.size() - 20) + " more; --json lists all)";
        break;
      }
      out += " " + k;
    }
    out += "\n";
  }
  return out;
}

std::string cluster_json(const cluster::cluster_status& s) {
  json members = json::array();
  for (const auto& m : s.members)
    members.push_back({{"id", m.id},
                       {"self", m.self},
                       {"configured", m.configured},
                       {"connected", m.connected},
                       {"up", m.up},
                       {"heartbeat_age_ms", m.heartbeat_age_ms},
                       {"last_down", m.last_down},
                       {"changed_age_ms", m.changed_age_ms},
                       {"reported", m.reported}});
  json j{{"command", "cluster"},
         {"enabled", s.enabled},
         {"self", s.self},
         {"majority", s.majority},
         {"cluster_size", s.cluster_size},
         {"live", s.live},
         {"members", members},
         {"placement", s.placement},
         {"known_edge_nodes", s.known_edge_nodes},
         {"owned", s.owned},
         {"acquisitions", s.acquisitions},
         {"releases", s.releases},
         {"connect_failures", s.connect_failures},
         {"heartbeats_received", s.heartbeats_received}};
  return j.dump() + "\n";
}

std::string stats_json(const query::node_stats& s, const query::node_stats* prev) {
  const auto& in = s.ingest;
  const auto& st = s.store;
  json families = json::object();
  for (size_t i = 0; i < st.family_names.size() && i < st.family_bytes.size(); ++i)
    families[st.family_names[i]] = st.family_bytes[i];
  json j{{"command", "stats"},
         {"host_id", s.host_id},
         {"now_ms", s.now_ms},
         {"time", format_time(s.now_ms)},
         {"uptime_ms", s.uptime_ms},
         {"ingest",
          {{"messages", in.messages},
           {"bytes", in.bytes},
           {"ignored_topics", in.ignored_topics},
           {"bad_topics", in.bad_topics},
           {"edge_nodes", in.edge_nodes},
           {"not_owned", in.not_owned},
           {"connected", in.connected},
           {"connects", in.connects},
           {"connection_losses", in.connection_losses},
           {"backlog_bytes", in.backlog_bytes},
           {"backlog_limit_bytes", in.backlog_limit_bytes},
           {"backlog_stalls", in.backlog_stalls},
           {"backlog_stalled_ms", in.backlog_stalled_ms}}},
         {"edge_nodes_online", s.edge_nodes_online},
         {"devices", s.devices},
         {"devices_online", s.devices_online},
         {"sparkplug_messages", s.sparkplug_messages},
         {"metrics", s.metrics},
         {"rebirths_requested", s.rebirths_requested},
         {"protocol_faults", s.protocol_faults},
         {"malformed_payloads", s.malformed_payloads},
         {"actors", s.actors},
         {"store",
          {{"points_committed", st.points_committed},
           {"windows_committed", st.windows_committed},
           {"alarm_events_committed", st.alarm_events_committed},
           {"births_committed", st.births_committed},
           {"batches", st.batches},
           {"commit_failures", st.commit_failures},
           {"points_pending", st.points_pending},
           {"points_dropped", st.points_dropped},
           {"retention_runs", st.retention_runs},
           {"commit_latency_p50_ms", st.commit_latency_p50_ms},
           {"commit_latency_p99_ms", st.commit_latency_p99_ms},
           {"last_point_commit_ms", st.last_point_commit_ms},
           {"last_error", st.last_error},
           {"location", st.location},
           {"family_bytes", families}}},
         {"open_windows", s.open_windows},
         {"windows_emitted", s.windows_emitted},
         {"active_alarms", s.active_alarms},
         {"cpu_ms", s.cpu_ms},
         {"rss_bytes", s.rss_bytes},
         {"heap_bytes", s.heap_bytes}};
  if (prev != nullptr && prev->now_ms > 0 && s.now_ms > prev->now_ms) {
    double secs = (s.now_ms - prev->now_ms) / 1000.0;
    auto r = [&](uint64_t now, uint64_t before) {
      return now >= before ? static_cast<double>(now - before) / secs : 0.0;
    };
    j["rates_per_s"] = {{"mqtt_messages", r(in.messages, prev->ingest.messages)},
                        {"sparkplug_messages",
                         r(s.sparkplug_messages, prev->sparkplug_messages)},
                        {"metrics", r(s.metrics, prev->metrics)},
                        {"points_committed",
                         r(st.points_committed, prev->store.points_committed)}};
  }
  return dump(j);
}

// --- tail ----------------------------------------------------------------------------------

std::string change_text(const host::device_state_view& d, const host::metric_view& m,
                        const view_options& o) {
  std::string out = format_time(m.timestamp_ms) + "  " + device_label(d) + "  " + m.name + " = "
                    + clip(m.value, o.max_value_chars);
  if (m.quality != host::quality_good)
    out += "  [" + format_quality(m.quality) + "]";
  if (m.stale)
    out += "  [stale]";
  return out + "\n";
}

std::string change_json(const host::device_state_view& d, const host::metric_view& m) {
  auto j = metric_view_json(m);
  j["command"] = "tail";
  j["device"] = device_label(d);
  return dump(j);
}

std::string status_text(const host::device_state_view& d, int64_t now_ms) {
  int64_t at = d.online ? d.birth_timestamp : d.offline_timestamp;
  return format_time(at != 0 ? at : now_ms) + "  " + device_label(d) + "  "
         + (d.online ? "ONLINE (birth)" : "OFFLINE") + "\n";
}

std::string status_json(const host::device_state_view& d, int64_t now_ms) {
  int64_t at = d.online ? d.birth_timestamp : d.offline_timestamp;
  return dump({{"command", "tail"},
               {"device", device_label(d)},
               {"online", d.online},
               {"timestamp_ms", at != 0 ? at : now_ms},
               {"time", format_time(at != 0 ? at : now_ms)}});
}

// --- misc ----------------------------------------------------------------------------------

std::string result_json(std::string_view command, std::string_view text) {
  return dump({{"command", command}, {"result", text}});
}

std::string error_json(std::string_view command, std::string_view text, int exit_code) {
  json j{{"error", text}, {"exit_code", exit_code}};
  if (!command.empty())
    j["command"] = command;
  return dump(j);
}

std::string help_json(std::string_view command) {
  if (!command.empty()) {
    auto* c = find_command(command);
    if (c == nullptr)
      return error_json("help", "unknown command '" + std::string(command) + "'", 64);
    json opts = json::array();
    for (auto& o : c->options)
      opts.push_back({{"name", o.name}, {"value", o.value}, {"help", o.help}});
    return dump({{"command", "help"},
                 {"name", c->name},
                 {"usage", c->usage},
                 {"summary", c->summary},
                 {"details", c->details},
                 {"options", opts}});
  }
  json list = json::array();
  for (auto& c : command_table())
    list.push_back({{"name", c.name}, {"usage", c.usage}, {"summary", c.summary}});
  return dump({{"command", "help"}, {"commands", list}});
}

} // namespace floe::admin
