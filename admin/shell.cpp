#include "admin/shell.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>
#include <tuple>

#include "admin/text.hpp"

namespace floe::admin {

int exit_code_of(const query_error& e) {
  return e.what == query_error::kind::rejected ? exit_failed : exit_unreachable;
}

volatile int& interrupt_flag() {
  static volatile int flag = 0;
  return flag;
}

shell_env system_env() {
  shell_env env;
  env.now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
  };
  env.interrupted = [] { return interrupt_flag() != 0; };
  env.clear_interrupt = [] { interrupt_flag() = 0; };
  env.sleep_ms = [](int64_t ms) {
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < until) {
      if (interrupt_flag() != 0)
        return false;
      auto left = until - std::chrono::steady_clock::now();
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        left, std::chrono::milliseconds(50)));
    }
    return interrupt_flag() == 0;
  };
  return env;
}

shell::shell(node_api& node, std::ostream& out, std::ostream& err, shell_options opts,
             shell_env env)
  : node_(node), out_(out), err_(err), opts_(std::move(opts)), env_(std::move(env)) {
}

void shell::print(const std::string& s) {
  out_ << s;
  if (!s.empty() && s.back() != '\n')
    out_ << '\n';
  out_.flush();
}

int shell::fail(const parsed_command& cmd, const query_error& e) {
  int code = exit_code_of(e);
  std::string text = code == exit_unreachable
                       ? "cannot reach floe-node at " + node_.address() + ": " + e.text
                       : cmd.name + ": " + e.text;
  err_ << text << '\n';
  err_.flush();
  if (opts_.json)
    print(error_json(cmd.name, text, code));
  if (code == exit_unreachable)
    cache_valid_ = false;
  return code;
}

int shell::usage(std::string_view command, const std::string& text) {
  err_ << text << '\n';
  err_.flush();
  if (opts_.json)
    print(error_json(command, text, exit_usage));
  return exit_usage;
}

int shell::run_line(std::string_view line) {
  auto first = line.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || line[first] == '#')
    return exit_ok;
  auto words = split_words(line);
  if (!words)
    return usage("", words.error());
  if (words->empty())
    return exit_ok;
  auto cmd = parse_command(*words);
  if (!cmd)
    return usage(find_command((*words)[0]) != nullptr ? (*words)[0] : "", cmd.error());
  return run(*cmd);
}

int shell::run(const parsed_command& c) {
  if (env_.clear_interrupt)
    env_.clear_interrupt();
  const auto& n = c.name;
  if (n == "help")
    return cmd_help(c);
  if (n == "quit") {
    quit_ = true;
    return exit_ok;
  }
  if (n == "nodes")
    return cmd_nodes(c);
  if (n == "devices")
    return cmd_devices(c);
  if (n == "show")
    return cmd_show(c);
  if (n == "metric")
    return cmd_metric(c);
  if (n == "history")
    return cmd_history(c);
  if (n == "alarms")
    return cmd_alarms(c);
  if (n == "ack")
    return cmd_ack(c);
  if (n == "rebirth")
    return cmd_rebirth(c);
  if (n == "stats")
    return cmd_stats(c);
  if (n == "cluster")
    return cmd_cluster(c);
  if (n == "tail")
    return cmd_tail(c);
  return usage(n, "command '" + n + "' is not implemented");
}

// --- commands --------------------------------------------------------------------------------

int shell::cmd_help(const parsed_command& c) {
  std::string which = c.args.empty() ? std::string() : c.args[0];
  if (!which.empty() && find_command(which) == nullptr)
    return usage("help", "unknown command '" + which + "' (try: help)");
  if (opts_.json)
    print(help_json(which));
  else
    print(which.empty() ? help_text() : *help_text(which));
  return exit_ok;
}

int shell::cmd_nodes(const parsed_command& c) {
  auto r = node_.list_edge_nodes(opts_.timeout);
  if (!r)
    return fail(c, r.error());
  cache_ = *r;
  cache_valid_ = true;
  print(opts_.json ? nodes_json(*r) : nodes_text(*r, opts_.view));
  return exit_ok;
}

int shell::cmd_devices(const parsed_command& c) {
  auto path = parse_edge_path(c.args[0]);
  if (!path)
    return usage(c.name, path.error());
  auto r = node_.list_edge_nodes(opts_.timeout);
  if (!r)
    return fail(c, r.error());
  cache_ = *r;
  cache_valid_ = true;
  auto it = std::find_if(r->begin(), r->end(), [&](const host::edge_node_summary& s) {
    return s.group == path->group && s.edge_node == path->edge_node;
  });
  if (it == r->end())
    return fail(c, {query_error::kind::rejected,
                    "unknown edge node " + path->group + "/" + path->edge_node + " (try: nodes)"});
  print(opts_.json ? devices_json(*it) : devices_text(*it, opts_.view));
  return exit_ok;
}

int shell::cmd_show(const parsed_command& c) {
  auto path = parse_device_path(c.args[0]);
  if (!path)
    return usage(c.name, path.error());
  auto r = node_.device(path->group, path->edge_node, path->device, opts_.timeout);
  if (!r)
    return fail(c, r.error());
  print(opts_.json ? device_json(*r) : device_text(*r, opts_.view));
  return exit_ok;
}

int shell::cmd_metric(const parsed_command& c) {
  auto path = parse_metric_path(c.args[0]);
  if (!path)
    return usage(c.name, path.error());
  auto r = node_.device(path->group, path->edge_node, path->device, opts_.timeout);
  if (!r)
    return fail(c, r.error());
  auto it = std::find_if(r->metrics.begin(), r->metrics.end(),
                         [&](const host::metric_view& m) { return m.name == path->metric; });
  if (it == r->metrics.end())
    return fail(c, {query_error::kind::rejected,
                    "unknown metric '" + path->metric + "' of " + device_label(*r)
                      + " (try: show " + device_label(*r) + ")"});
  print(opts_.json ? metric_json(*r, *it) : metric_text(*r, *it));
  return exit_ok;
}

int shell::cmd_history(const parsed_command& c) {
  auto path = parse_metric_path(c.args[0]);
  if (!path)
    return usage(c.name, path.error());
  auto range = parse_time_range(c.get("from"), c.get("to"), env_.now_ms(),
                                defaults::admin::history_span_ms);
  if (!range)
    return usage(c.name, range.error());
  query::history_request rq;
  rq.group = path->group;
  rq.edge_node = path->edge_node;
  rq.device = path->device;
  rq.metric = path->metric;
  rq.from_ms = range->from_ms;
  rq.to_ms = range->to_ms;
  rq.limit = defaults::admin::history_limit;
  rq.latest = true; // a limit keeps the newest entries: what an operator looks at
  if (auto w = c.get("window")) {
    auto width = parse_duration_ms(*w);
    if (!width)
      return usage(c.name, "--window: " + width.error());
    rq.width_ms = *width;
  }
  if (auto l = c.get("limit")) {
    auto limit = parse_count(*l, "--limit");
    if (!limit)
      return usage(c.name, limit.error());
    rq.limit = *limit;
  }
  auto r = node_.history(rq, opts_.timeout);
  if (!r)
    return fail(c, r.error());
  print(opts_.json ? history_json(*r, rq.from_ms, rq.to_ms, rq.width_ms)
                   : history_text(*r, rq.from_ms, rq.to_ms, rq.width_ms, opts_.view));
  return exit_ok;
}

int shell::cmd_alarms(const parsed_command& c) {
  uint64_t limit = defaults::admin::alarms_limit;
  if (auto l = c.get("limit")) {
    auto parsed_limit = parse_count(*l, "--limit");
    if (!parsed_limit)
      return usage(c.name, parsed_limit.error());
    if (*parsed_limit == 0)
      return usage(c.name, "--limit must be at least 1");
    limit = *parsed_limit;
  }
  bool active_only = !c.has("all");
  auto r = node_.alarms(active_only, limit, opts_.timeout);
  if (!r)
    return fail(c, r.error());
  print(opts_.json ? alarms_json(*r, active_only) : alarms_text(*r, active_only, opts_.view));
  return exit_ok;
}

int shell::cmd_ack(const parsed_command& c) {
  std::string by = c.get("by").value_or(opts_.operator_name);
  if (by.empty())
    return usage(c.name, "ack: no operator name: give --by NAME (no $USER, $LOGNAME or account name)");
  auto r = node_.ack(c.args[0], by, opts_.timeout);
  if (!r)
    return fail(c, r.error());
  print(opts_.json ? result_json(c.name, *r) : *r);
  return exit_ok;
}

int shell::cmd_rebirth(const parsed_command& c) {
  auto path = parse_edge_path(c.args[0]);
  if (!path)
    return usage(c.name, path.error());
  auto r = node_.rebirth(path->group, path->edge_node, opts_.timeout);
  if (!r)
    return fail(c, r.error());
  print(opts_.json ? result_json(c.name, *r) : *r);
  return exit_ok;
}

int shell::cmd_stats(const parsed_command& c) {
  int64_t every_ms = 0;
  if (auto w = c.get("watch")) {
    bool plain = !w->empty() && w->find_first_not_of("0123456789.") == std::string::npos;
    auto d = parse_duration_ms(plain ? *w + "s" : *w);
    if (!d)
      return usage(c.name, "--watch: " + d.error());
    every_ms = *d;
  }
  query::node_stats prev;
  bool have_prev = false;
  for (;;) {
    auto r = node_.stats(opts_.timeout);
    if (!r)
      return fail(c, r.error());
    const query::node_stats* p = have_prev ? &prev : nullptr;
    if (opts_.json)
      print(stats_json(*r, p));
    else
      print((have_prev ? "\n" : "") + stats_text(*r, p));
    if (every_ms == 0)
      return exit_ok;
    prev = *r;
    have_prev = true;
    if (!env_.sleep_ms(every_ms))
      return exit_ok; // Ctrl-C ends the watch
  }
}

int shell::cmd_cluster(const parsed_command& c) {
  auto r = node_.cluster(opts_.timeout);
  if (!r)
    return fail(c, r.error());
  print(opts_.json ? cluster_json(*r) : cluster_text(*r));
  return exit_ok;
}

int shell::cmd_tail(const parsed_command& c) {
  auto path = parse_device_path(c.args[0]);
  if (!path)
    return usage(c.name, path.error());
  int64_t seconds = defaults::admin::tail_seconds;
  if (auto s = c.get("seconds")) {
    auto n = parse_count(*s, "--seconds");
    if (!n)
      return usage(c.name, n.error());
    seconds = static_cast<int64_t>(*n);
  }
  auto r = node_.device(path->group, path->edge_node, path->device, opts_.timeout);
  if (!r)
    return fail(c, r.error());
  using key = std::tuple<int64_t, std::string, int32_t, bool>;
  std::map<std::string, key> seen;
  bool online = r->online;
  if (!opts_.json)
    print("following " + device_label(*r) + (r->online ? " (online)" : " (OFFLINE)") + ", "
          + std::to_string(r->metrics.size()) + " metrics"
          + (seconds > 0 ? " for " + std::to_string(seconds) + " s" : std::string())
          + "; Ctrl-C stops");
  auto report = [&](const host::device_state_view& v) {
    for (auto& m : v.metrics) {
      key k{m.timestamp_ms, m.value, m.quality, m.stale};
      auto it = seen.find(m.name);
      if (it != seen.end() && it->second == k)
        continue;
      seen[m.name] = k;
      if (m.timestamp_ms == 0 && it == seen.end())
        continue; // never had a value
      print(opts_.json ? change_json(v, m) : change_text(v, m, opts_.view));
    }
  };
  report(*r);
  int64_t start = env_.now_ms();
  int64_t next = start + defaults::admin::tail_interval_ms;
  for (;;) {
    int64_t now = env_.now_ms();
    if (seconds > 0 && now - start >= seconds * 1000)
      return exit_ok;
    int64_t wait = next - now;
    if (seconds > 0)
      wait = std::min(wait, start + seconds * 1000 - now);
    if (wait > 0 && !env_.sleep_ms(wait))
      return exit_ok;
    if (env_.interrupted && env_.interrupted())
      return exit_ok;
    if (seconds > 0 && env_.now_ms() - start >= seconds * 1000)
      return exit_ok;
    next += defaults::admin::tail_interval_ms;
    auto v = node_.device(path->group, path->edge_node, path->device, opts_.timeout);
    if (!v) {
      if (v.error().what == query_error::kind::timeout) {
        err_ << "tail: " << v.error().text << " (still trying)\n";
        continue;
      }
      return fail(c, v.error());
    }
    if (v->online != online) {
      online = v->online;
      print(opts_.json ? status_json(*v, env_.now_ms()) : status_text(*v, env_.now_ms()));
    }
    report(*v);
  }
}

// --- prompt and completion -----------------------------------------------------------------

void shell::refresh_cache(std::chrono::milliseconds t) {
  auto r = node_.list_edge_nodes(t);
  if (r) {
    cache_ = std::move(*r);
    cache_valid_ = true;
  } else {
    cache_valid_ = false;
  }
}

std::string shell::prompt() {
  std::string head = "floe " + node_.address() + " [";
  refresh_cache(opts_.prompt_timeout);
  if (!cache_valid_)
    return head + "unreachable]> ";
  size_t online = static_cast<size_t>(std::count_if(
    cache_.begin(), cache_.end(), [](const host::edge_node_summary& s) { return s.online; }));
  std::string health = std::to_string(online) + "/" + std::to_string(cache_.size())
                       + " edge nodes online";
  constexpr uint64_t most = 1000;
  auto a = node_.alarms(true, most, opts_.prompt_timeout);
  if (a) {
    auto n = a->size();
    health += ", " + std::to_string(n) + (n >= most ? "+" : "") + (n == 1 ? " alarm" : " alarms");
  }
  return head + health + "]> ";
}

std::vector<std::string> shell::complete(const std::vector<std::string>& before,
                                         std::string_view text) {
  std::vector<std::string> out;
  auto starts = [&](const std::string& s) { return s.compare(0, text.size(), text) == 0; };
  if (before.empty())
    return command_names(text);
  const command_spec* spec = find_command(before[0]);
  if (spec == nullptr)
    return out;
  // Where are we: after an option that takes a value, or at a positional argument?
  size_t positional = 0;
  for (size_t i = 1; i < before.size(); ++i) {
    const auto& w = before[i];
    if (w.size() > 2 && w.compare(0, 2, "--") == 0 && w.find('=') == std::string::npos) {
      auto name = std::string_view(w).substr(2);
      auto opt = std::find_if(spec->options.begin(), spec->options.end(),
                              [&](const option_spec& o) { return o.name == name; });
      if (opt != spec->options.end() && !opt->value.empty()) {
        if (i + 1 == before.size()) { // completing this option's value
          if (opt->name == "window")
            for (auto v : {"10s", "1m", "1h"})
              if (starts(v))
                out.emplace_back(v);
          return out;
        }
        ++i;
      }
      continue;
    }
    ++positional;
  }
  if (text.size() >= 2 && text.substr(0, 2) == "--") {
    for (auto& o : spec->options) {
      std::string s = "--" + std::string(o.name);
      if (starts(s))
        out.push_back(s);
    }
    return out;
  }
  if (positional > 0)
    return out;
  switch (spec->first_arg) {
    case arg_kind::command:
      return command_names(text);
    case arg_kind::text: // alarm ids for ack
      if (spec->name == "ack") {
        auto a = node_.alarms(true, 1000, opts_.prompt_timeout);
        if (a)
          for (auto& x : *a)
            if (starts(x.alarm_id))
              out.push_back(x.alarm_id);
      }
      return out;
    case arg_kind::none:
      return out;
    default:
      break;
  }
  if (!cache_valid_)
    refresh_cache(opts_.prompt_timeout);
  if (spec->first_arg == arg_kind::edge_node) {
    for (auto& n : cache_) {
      auto s = n.group + "/" + n.edge_node;
      if (starts(s))
        out.push_back(s);
    }
    return out;
  }
  bool metric = spec->first_arg == arg_kind::metric;
  if (metric && std::count(text.begin(), text.end(), '/') >= 3) {
    // The device part is complete: offer its metric names (asked once per device).
    auto dev_end = text.find('/', text.find('/', text.find('/') + 1) + 1);
    std::string dev(text.substr(0, dev_end));
    auto it = metric_cache_.find(dev);
    if (it == metric_cache_.end()) {
      auto path = parse_device_path(dev);
      std::vector<std::string> names;
      if (path) {
        auto v = node_.device(path->group, path->edge_node, path->device, opts_.prompt_timeout);
        if (v)
          for (auto& m : v->metrics)
            names.push_back(m.name);
      }
      it = metric_cache_.emplace(dev, std::move(names)).first;
    }
    for (auto& m : it->second) {
      auto s = dev + "/" + m;
      if (starts(s))
        out.push_back(s);
    }
    return out;
  }
  std::string tail = metric ? "/" : "";
  for (auto& n : cache_) {
    auto base = n.group + "/" + n.edge_node + "/";
    if (starts(base + "-" + tail))
      out.push_back(base + "-" + tail);
    for (auto& d : n.devices)
      if (starts(base + d.id + tail))
        out.push_back(base + d.id + tail);
  }
  return out;
}

} // namespace floe::admin
