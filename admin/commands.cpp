#include "admin/commands.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

namespace floe::admin {

namespace {

parsed<std::string> fail_text(std::string text) {
  return make_unexpected(std::move(text));
}

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : days[m - 1];
}

// Reads exactly `n` digits at `pos`.
bool read_digits(std::string_view s, size_t& pos, size_t n, unsigned& out) {
  if (pos + n > s.size())
    return false;
  unsigned v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9')
      return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  pos += n;
  out = v;
  return true;
}

parsed<int64_t> parse_iso_time(std::string_view s) {
  auto bad = [&](const char* why) -> parsed<int64_t> {
    return make_unexpected("cannot read time '" + std::string(s) + "': " + why
                           + " (use e.g. 2026-11-03T10:15:00Z, epoch ms, or -10m)");
  };
  size_t pos = 0;
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_digits(s, pos, 4, year) || pos >= s.size() || s[pos++] != '-'
      || !read_digits(s, pos, 2, month) || pos >= s.size() || s[pos++] != '-'
      || !read_digits(s, pos, 2, day))
    return bad("expected a date YYYY-MM-DD");
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
    return bad("no such date");
  int64_t ms_of_day = 0;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
    ++pos;
    if (!read_digits(s, pos, 2, hour) || pos >= s.size() || s[pos++] != ':'
        || !read_digits(s, pos, 2, minute))
      return bad("expected a time hh:mm[:ss[.fff]]");
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!read_digits(s, pos, 2, second))
        return bad("expected seconds after hh:mm:");
    }
    int64_t frac_ms = 0;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      size_t digits = 0;
      int64_t scale = 100;
      while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
        if (digits < 3)
          frac_ms += (s[pos] - '0') * scale;
        scale /= 10;
        ++digits;
        ++pos;
      }
      if (digits == 0)
        return bad("expected digits after the decimal point");
    }
    if (hour > 23 || minute > 59 || second > 60)
      return bad("hour, minute or second out of range");
    ms_of_day = ((hour * 60 + minute) * 60 + static_cast<int64_t>(second)) * 1000 + frac_ms;
  }
  int64_t offset_ms = 0;
  if (pos < s.size()) {
    char c = s[pos];
    if (c == 'Z' || c == 'z') {
      ++pos;
    } else if (c == '+' || c == '-') {
      ++pos;
      unsigned oh = 0, om = 0;
      if (!read_digits(s, pos, 2, oh))
        return bad("expected an offset +hh:mm");
      if (pos < s.size() && s[pos] == ':')
        ++pos;
      if (pos < s.size() && !read_digits(s, pos, 2, om))
        return bad("expected an offset +hh:mm");
      if (oh > 23 || om > 59)
        return bad("offset out of range");
      offset_ms = (static_cast<int64_t>(oh) * 60 + om) * 60'000 * (c == '+' ? 1 : -1);
    }
  }
  if (pos != s.size())
    return bad("unexpected text after the time");
  return days_from_civil(year, month, day) * 86'400'000 + ms_of_day - offset_ms;
}

} // namespace

// --- words ---------------------------------------------------------------------------------

parsed<std::vector<std::string>> split_words(std::string_view line) {
  std::vector<std::string> out;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote == '\'') {
      if (c == '\'')
        quote = 0;
      else
        word += c;
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= line.size())
        return make_unexpected(std::string("a backslash ends the line"));
      word += line[++i];
      in_word = true;
      continue;
    }
    if (quote == '"') {
      if (c == '"')
        quote = 0;
      else
        word += c;
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
      continue;
    }
    if (is_blank(c)) {
      if (in_word)
        out.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    word += c;
    in_word = true;
  }
  if (quote != 0)
    return make_unexpected(std::string("unterminated ") + (quote == '"' ? "double" : "single")
                           + " quote");
  if (in_word)
    out.push_back(std::move(word));
  return out;
}

std::string quote_word(std::string_view word) {
  std::string out;
  for (char c : word) {
    if (is_blank(c) || c == '"' || c == '\'' || c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

// --- command table -------------------------------------------------------------------------

const std::vector<command_spec>& command_table() {
  static const std::vector<command_spec> table = {
    {"help", "help [<command>]", "list the commands, or explain one", "", 0, 1,
     arg_kind::command, {}},
    {"nodes", "nodes",
     "edge nodes: online, bdSeq, birth time, messages, rebirths, faults, devices online/total",
     "Every edge node this floe-node has seen, with its session counters.", 0, 0,
     arg_kind::none, {}},
    {"devices", "devices <group>/<edge>", "devices of one edge node: online, birth time", "", 1,
     1, arg_kind::edge_node, {}},
    {"show", "show <group>/<edge>/<device>",
     "device state: every metric with value, type, timestamp, quality, stale, properties",
     "Use '-' or 'node' as <device> for the edge node's own metrics (bdSeq, Node Control/...).\n"
     "Active alarms of the device are listed below its metrics.",
     1, 1, arg_kind::device, {}},
    {"metric", "metric <group>/<edge>/<device>/<metric>", "one metric of a device, in detail",
     "Everything after the third '/' is the metric name, e.g.\n"
     "  metric floe-sim/edge-01/compressor-01/Motor Current\n"
     "Quote names with blanks when options follow, or write them with backslashes.",
     1, 1, arg_kind::metric, {}},
    {"history",
     "history <group>/<edge>/<device>/<metric> [--from T] [--to T] [--window W] [--limit N]",
     "stored values of one metric: a table and a sparkline",
     "Raw points by default; --window 10s|1m|1h (a width the node computes) gives windows with\n"
     "count, min, mean and max instead. The sparkline shows the values (window means).\n"
     "T: now, -10m (relative: ms s m h d), epoch ms, or ISO 8601 such as 2026-11-03T10:15:00Z\n"
     "(UTC unless an offset is given). Default: the last 10 minutes. --limit N keeps the\n"
     "newest N entries of the range (shown in ascending time).",
     1, 1, arg_kind::metric,
     {{"from", "T", "start (inclusive); default: 10 minutes before --to"},
      {"to", "T", "end (exclusive); default: now"},
      {"window", "W", "window width instead of raw points: 10s, 1m, 1h"},
      {"limit", "N", "most points or windows (0 = the node's maximum)"}}},
    {"alarms", "alarms [--all] [--limit N]", "active alarms, newest first (--all: the history)", "",
     0, 0, arg_kind::none,
     {{"all", "", "every transition of the alarm history, not only active alarms"},
      {"limit", "N", "most alarms listed (default 100)"}}},
    {"ack", "ack <alarm id> [--by NAME]", "acknowledge an alarm",
     "The operator name defaults to $USER (else $LOGNAME, else the account name).", 1, 1,
     arg_kind::text,
     {{"by", "NAME", "operator name recorded with the acknowledgement"}}},
    {"rebirth", "rebirth <group>/<edge>", "ask an edge node for a rebirth (Rebirth NCMD)",
     "The node throttles rebirth requests per edge node; its answer says what it did.", 1, 1,
     arg_kind::edge_node, {}},
    {"stats", "stats [--watch S]", "node statistics (MQTT, sessions, store, windows, alarms)",
     "--watch S repeats every S seconds with rates, until Ctrl-C.", 0, 0, arg_kind::none,
     {{"watch", "S", "repeat every S seconds (until Ctrl-C)"}}},
    {"cluster", "cluster", "cluster members as this node sees them, and the edge nodes it owns",
     "Members: up/down, last heartbeat, what each reports live. A node without --cluster-port "
     "is a cluster of one that owns every edge node.", 0, 0, arg_kind::none, {}},
    {"tail", "tail <group>/<edge>/<device> [--seconds N]",
     "follow a device: prints values as they change (polls every second)",
     "Stops after N seconds, or with Ctrl-C.", 1, 1, arg_kind::device,
     {{"seconds", "N", "stop after N seconds (default: until Ctrl-C)"}}},
    {"quit", "quit", "leave the shell (also: exit, Ctrl-D)", "", 0, 0, arg_kind::none, {}},
  };
  return table;
}

const command_spec* find_command(std::string_view name) {
  if (name == "exit")
    name = "quit";
  for (auto& c : command_table())
    if (c.name == name)
      return &c;
  return nullptr;
}

std::vector<std::string> command_names(std::string_view prefix) {
  std::vector<std::string> out;
  for (auto& c : command_table())
    if (c.name.substr(0, prefix.size()) == prefix)
      out.emplace_back(c.name);
  return out;
}

bool parsed_command::has(std::string_view option) const {
  return options.find(std::string(option)) != options.end();
}

std::optional<std::string> parsed_command::get(std::string_view option) const {
  auto it = options.find(std::string(option));
  if (it == options.end())
    return std::nullopt;
  return it->second;
}

parsed<parsed_command> parse_command(const std::vector<std::string>& words) {
  if (words.empty())
    return make_unexpected(std::string("no command given (try: help)"));
  parsed_command out;
  out.spec = find_command(words[0]);
  if (out.spec == nullptr)
    return make_unexpected("unknown command '" + words[0] + "' (try: help)");
  const auto& spec = *out.spec;
  out.name = std::string(spec.name);
  std::string see = " (see: help " + std::string(spec.name) + ")";
  for (size_t i = 1; i < words.size(); ++i) {
    const auto& w = words[i];
    if (w.size() > 2 && w.compare(0, 2, "--") == 0) {
      std::string name = w.substr(2);
      std::optional<std::string> inline_value;
      if (auto eq = name.find('='); eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name.resize(eq);
      }
      auto opt = std::find_if(spec.options.begin(), spec.options.end(),
                              [&](const option_spec& o) { return o.name == name; });
      if (opt == spec.options.end())
        return make_unexpected("unknown option --" + name + " for " + std::string(spec.name)
                               + see);
      if (out.options.count(name) != 0)
        return make_unexpected("option --" + name + " given twice" + see);
      if (opt->value.empty()) {
        if (inline_value)
          return make_unexpected("option --" + name + " takes no value" + see);
        out.options[name] = "";
        continue;
      }
      if (inline_value) {
        out.options[name] = *inline_value;
        continue;
      }
      if (i + 1 >= words.size())
        return make_unexpected("option --" + name + " needs a value " + std::string(opt->value)
                               + see);
      out.options[name] = words[++i];
      continue;
    }
    out.args.push_back(w);
  }
  // A metric name may contain blanks: extra words of a metric path join it.
  if (spec.first_arg == arg_kind::metric && out.args.size() > 1) {
    std::string joined = out.args[0];
    for (size_t i = 1; i < out.args.size(); ++i)
      joined += " " + out.args[i];
    out.args = {joined};
  }
  if (out.args.size() < spec.min_args)
    return make_unexpected("missing argument: usage: " + std::string(spec.usage));
  if (out.args.size() > spec.max_args)
    return make_unexpected("too many arguments: usage: " + std::string(spec.usage));
  return out;
}

std::string help_text() {
  std::string out = "Commands (help <command> for details):\n";
  size_t width = 0;
  for (auto& c : command_table())
    width = std::max(width, c.name.size());
  for (auto& c : command_table()) {
    out += "  " + std::string(c.name) + std::string(width - c.name.size() + 2, ' ')
           + std::string(c.summary) + "\n";
  }
  out += "Paths: <group>/<edge>[/<device>[/<metric>]]; device '-' or 'node' = the edge node's own "
         "metrics.\n";
  return out;
}

parsed<std::string> help_text(std::string_view command) {
  auto* c = find_command(command);
  if (c == nullptr)
    return fail_text("unknown command '" + std::string(command) + "' (try: help)");
  std::string out = "usage: " + std::string(c->usage) + "\n  " + std::string(c->summary) + "\n";
  if (!c->details.empty()) {
    std::string_view d = c->details;
    while (!d.empty()) {
      auto nl = d.find('\n');
      out += "  " + std::string(d.substr(0, nl)) + "\n";
      if (nl == std::string_view::npos)
        break;
      d.remove_prefix(nl + 1);
    }
  }
  if (!c->options.empty()) {
    out += "options:\n";
    for (auto& o : c->options) {
      std::string left = "--" + std::string(o.name);
      if (!o.value.empty())
        left += " " + std::string(o.value);
      out += "  " + left + std::string(left.size() < 14 ? 14 - left.size() : 1, ' ')
             + std::string(o.help) + "\n";
    }
  }
  return out;
}

// --- paths ---------------------------------------------------------------------------------

namespace {

// Splits at the first `parts - 1` slashes; the last part keeps any further slashes.
parsed<std::vector<std::string>> split_path(std::string_view text, size_t parts,
                                            std::string_view what, std::string_view form) {
  std::vector<std::string> out;
  std::string_view rest = text;
  for (size_t i = 0; i + 1 < parts; ++i) {
    auto slash = rest.find('/');
    if (slash == std::string_view::npos)
      break;
    out.emplace_back(rest.substr(0, slash));
    rest.remove_prefix(slash + 1);
  }
  out.emplace_back(rest);
  auto bad = [&](std::string why) -> parsed<std::vector<std::string>> {
    return make_unexpected("bad " + std::string(what) + " '" + std::string(text) + "': " + why
                           + " (expected " + std::string(form) + ")");
  };
  if (out.size() != parts)
    return bad("too few parts");
  if (parts < 4 && out.back().find('/') != std::string::npos)
    return bad("too many parts");
  for (size_t i = 0; i < out.size(); ++i)
    if (out[i].empty())
      return bad("empty part");
  return out;
}

std::string device_of(const std::string& part) {
  return part == "-" || part == "node" ? std::string() : part;
}

} // namespace

parsed<edge_path> parse_edge_path(std::string_view text) {
  auto p = split_path(text, 2, "edge node", "<group>/<edge>");
  if (!p)
    return make_unexpected(p.error());
  return edge_path{(*p)[0], (*p)[1]};
}

parsed<device_path> parse_device_path(std::string_view text) {
  auto p = split_path(text, 3, "device", "<group>/<edge>/<device>");
  if (!p)
    return make_unexpected(p.error());
  return device_path{(*p)[0], (*p)[1], device_of((*p)[2])};
}

parsed<metric_path> parse_metric_path(std::string_view text) {
  auto p = split_path(text, 4, "metric", "<group>/<edge>/<device>/<metric>");
  if (!p)
    return make_unexpected(p.error());
  return metric_path{(*p)[0], (*p)[1], device_of((*p)[2]), (*p)[3]};
}

std::string to_string(const device_path& p) {
  return p.group + "/" + p.edge_node + "/" + (p.device.empty() ? "-" : p.device);
}

std::string to_string(const metric_path& p) {
  return to_string(device_path{p.group, p.edge_node, p.device}) + "/" + p.metric;
}

// --- values --------------------------------------------------------------------------------

parsed<int64_t> parse_duration_ms(std::string_view text) {
  auto bad = [&](const char* why) -> parsed<int64_t> {
    return make_unexpected("bad duration '" + std::string(text) + "': " + why
                           + " (use e.g. 500ms, 10s, 1m, 1h, 2d)");
  };
  if (text.empty())
    return bad("empty");
  double total = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t start = pos;
    while (pos < text.size() && (std::isdigit(static_cast<unsigned char>(text[pos]))
                                 || text[pos] == '.'))
      ++pos;
    if (pos == start)
      return bad("expected a number");
    std::string number(text.substr(start, pos - start));
    if (std::count(number.begin(), number.end(), '.') > 1 || number == ".")
      return bad("expected a number");
    double v = std::stod(number);
    size_t ustart = pos;
    while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos])))
      ++pos;
    std::string_view unit = text.substr(ustart, pos - ustart);
    double scale;
    if (unit == "ms")
      scale = 1;
    else if (unit == "s")
      scale = 1'000;
    else if (unit == "m" || unit == "min")
      scale = 60'000;
    else if (unit == "h")
      scale = 3'600'000;
    else if (unit == "d")
      scale = 86'400'000;
    else if (unit.empty())
      return bad("a unit is required");
    else
      return bad("unknown unit");
    total += v * scale;
  }
  if (!(total >= 1))
    return bad("must be at least 1 ms");
  if (total > 1e15)
    return bad("too long");
  return static_cast<int64_t>(std::llround(total));
}

parsed<int64_t> parse_time_ms(std::string_view text, int64_t now_ms) {
  if (text == "now")
    return now_ms;
  if (!text.empty() && text[0] == '-') {
    auto d = parse_duration_ms(text.substr(1));
    if (!d)
      return make_unexpected("bad relative time '" + std::string(text) + "': " + d.error());
    return now_ms - *d;
  }
  if (all_digits(text)) {
    if (text.size() > 15)
      return make_unexpected("time '" + std::string(text) + "' is out of range");
    return static_cast<int64_t>(std::stoll(std::string(text)));
  }
  return parse_iso_time(text);
}

parsed<time_range> parse_time_range(const std::optional<std::string>& from,
                                    const std::optional<std::string>& to, int64_t now_ms,
                                    int64_t default_span_ms) {
  time_range r;
  if (to) {
    auto t = parse_time_ms(*to, now_ms);
    if (!t)
      return make_unexpected("--to: " + t.error());
    r.to_ms = *t;
  } else {
    r.to_ms = now_ms + 1;
  }
  if (from) {
    auto f = parse_time_ms(*from, now_ms);
    if (!f)
      return make_unexpected("--from: " + f.error());
    r.from_ms = *f;
  } else {
    r.from_ms = r.to_ms - default_span_ms;
  }
  if (r.from_ms >= r.to_ms)
    return make_unexpected(std::string("empty time range: --from must be before --to"));
  return r;
}

parsed<uint64_t> parse_count(std::string_view text, std::string_view what) {
  if (!all_digits(text) || text.size() > 19)
    return make_unexpected(std::string(what) + " must be a non-negative integer, got '"
                           + std::string(text) + "'");
  return static_cast<uint64_t>(std::stoull(std::string(text)));
}

parsed<node_address> parse_node_address(std::string_view text, std::string_view default_host) {
  auto bad = [&](const char* why) -> parsed<node_address> {
    return make_unexpected("bad node address '" + std::string(text) + "': " + why
                           + " (expected host:port, e.g. 127.0.0.1:4710)");
  };
  node_address a;
  std::string_view port_text;
  if (!text.empty() && text[0] == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return bad("expected [address]:port");
    a.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else if (auto colon = text.rfind(':'); colon != std::string_view::npos) {
    a.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
    if (a.host.find(':') != std::string::npos)
      return bad("write IPv6 addresses in brackets");
  } else {
    port_text = text;
  }
  if (a.host.empty())
    a.host = std::string(default_host);
  if (!all_digits(port_text) || port_text.size() > 5)
    return bad("port must be a number");
  auto port = std::stoul(std::string(port_text));
  if (port == 0 || port > 65535)
    return bad("port must be within 1..65535");
  a.port = static_cast<uint16_t>(port);
  return a;
}

std::string to_string(const node_address& a) {
  if (a.host.find(':') != std::string::npos)
    return "[" + a.host + "]:" + std::to_string(a.port);
  return a.host + ":" + std::to_string(a.port);
}

} // namespace floe::admin
