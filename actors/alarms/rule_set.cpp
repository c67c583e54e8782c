#include "actors/alarms/rule_set.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "config/defaults.hpp"

namespace floe::alarms {

namespace {

using json = nlohmann::json;

// Thrown only inside rule_set::parse and caught there: it turns deep validation code into
// straight lines. Nothing escapes parse().
struct invalid_field {
  std::string field;
  std::string detail;
};

[[noreturn]] void fail(std::string field, std::string detail) {
  throw invalid_field{std::move(field), std::move(detail)};
}

const char* json_type_name(const json& v) {
  return v.type_name();
}

void reject_unknown_fields(const json& obj, std::initializer_list<std::string_view> allowed,
                           const std::string& prefix, const char* context) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
      std::string known;
      for (auto name : allowed) {
        if (!known.empty())
          known += ", ";
        known += name;
      }
      fail(prefix + it.key(), std::string{"unknown field "} + context + " (known: " + known + ")");
    }
  }
}

std::string get_string(const json& obj, const char* field, bool required,
                       std::string fallback = {}) {
  auto it = obj.find(field);
  if (it == obj.end()) {
    if (required)
      fail(field, "missing (required)");
    return fallback;
  }
  if (!it->is_string())
    fail(field, std::string{"must be a string, not "} + json_type_name(*it));
  return it->get<std::string>();
}

double get_number(const json& obj, const char* field, bool required, double fallback = 0) {
  auto it = obj.find(field);
  if (it == obj.end()) {
    if (required)
      fail(field, "missing (required)");
    return fallback;
  }
  if (!it->is_number())
    fail(field, std::string{"must be a number, not "} + json_type_name(*it));
  auto v = it->get<double>();
  if (!std::isfinite(v))
    fail(field, "must be a finite number");
  return v;
}

int64_t get_duration_ms(const json& obj, const char* field, bool required, int64_t fallback) {
  auto it = obj.find(field);
  if (it == obj.end()) {
    if (required)
      fail(field, "missing (required)");
    return fallback;
  }
  if (!it->is_number_integer())
    fail(field, "must be a whole number of milliseconds");
  constexpr auto max = defaults::alarms::max_duration_ms;
  auto too_large = [&] {
    fail(field, "must be at most " + std::to_string(max) + " ms");
  };
  if (it->is_number_unsigned()) {
    if (it->get<uint64_t>() > static_cast<uint64_t>(max))
      too_large();
    return static_cast<int64_t>(it->get<uint64_t>());
  }
  auto v = it->get<int64_t>();
  if (v < 0)
    fail(field, "must not be negative");
  if (v > max)
    too_large();
  return v;
}

bool get_bool(const json& obj, const char* field, bool fallback) {
  auto it = obj.find(field);
  if (it == obj.end())
    return fallback;
  if (!it->is_boolean())
    fail(field, std::string{"must be true or false, not "} + json_type_name(*it));
  return it->get<bool>();
}

// A string or a non-empty array of strings.
std::vector<std::string> get_string_list(const json& v, const std::string& field) {
  std::vector<std::string> out;
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
    return out;
  }
  if (!v.is_array())
    fail(field, std::string{"must be a string or an array of strings, not "} + json_type_name(v));
  if (v.empty())
    fail(field, "must not be an empty array");
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string())
      fail(field + "[" + std::to_string(i) + "]",
           std::string{"must be a string, not "} + json_type_name(v[i]));
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

name_patterns get_patterns(const json& match, const char* field) {
  auto it = match.find(field);
  if (it == match.end())
    return {};
  auto path = std::string{"match."} + field;
  std::vector<name_pattern> patterns;
  for (auto& text : get_string_list(*it, path))
    patterns.emplace_back(text);
  return name_patterns{std::move(patterns)};
}

bool valid_rule_name(std::string_view name) {
  if (name.empty() || name.size() > 128)
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

bool device_kind_matches(std::string_view device, std::string_view kind) noexcept {
  if (device.size() < kind.size() || device.compare(0, kind.size(), kind) != 0)
    return false;
  return device.size() == kind.size()
         || !std::isalpha(static_cast<unsigned char>(device[kind.size()]));
}

constexpr std::string_view placeholders[] = {"rule",   "severity", "kind",  "series",
                                             "group",  "edge_node", "device", "metric",
                                             "value",  "limit",    "deadband"};

// Walks a message template: calls literal(text) and placeholder(name) in order. Returns an
// error description, or an empty string when the template is well formed.
template <class Literal, class Placeholder>
std::string walk_template(std::string_view tpl, Literal&& literal, Placeholder&& placeholder) {
  size_t pos = 0;
  while (pos < tpl.size()) {
    auto brace = tpl.find_first_of("{}", pos);
    if (brace == std::string_view::npos) {
      literal(tpl.substr(pos));
      break;
    }
    literal(tpl.substr(pos, brace - pos));
    if (brace + 1 < tpl.size() && tpl[brace + 1] == tpl[brace]) {
      literal(tpl.substr(brace, 1));
      pos = brace + 2;
      continue;
    }
    if (tpl[brace] == '}')
      return "unmatched '}' at offset " + std::to_string(brace) + " (write '}}' for a brace)";
    auto close = tpl.find('}', brace);
    if (close == std::string_view::npos)
      return "unclosed '{' at offset " + std::to_string(brace) + " (write '{{' for a brace)";
    auto name = tpl.substr(brace + 1, close - brace - 1);
    if (std::find(std::begin(placeholders), std::end(placeholders), name)
        == std::end(placeholders)) {
      std::string known;
      for (auto p : placeholders)
        known += (known.empty() ? "{" : ", {") + std::string{p} + "}";
      return "unknown placeholder {" + std::string{name} + "} (known: " + known + ")";
    }
    placeholder(name);
    pos = close + 1;
  }
  return {};
}

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

series_match parse_match(const json& r, rule_kind kind) {
  auto it = r.find("match");
  if (it == r.end())
    fail("match", "missing (required; {} matches every series)");
  const json& m = *it;
  if (!m.is_object())
    fail("match", std::string{"must be an object, not "} + json_type_name(m));
  series_match out;
  if (kind == rule_kind::offline) {
    reject_unknown_fields(m, {"group", "edge_node", "device", "device_kind", "scope"}, "match.",
                          "for an offline rule");
    auto scope = m.find("scope");
    if (scope != m.end()) {
      if (!scope->is_string() || (*scope != "device" && *scope != "node"))
        fail("match.scope", "must be \"device\" or \"node\"");
      out.scope = *scope == "node" ? offline_scope::node : offline_scope::device;
    }
    if (out.scope == offline_scope::node) {
      if (m.contains("device"))
        fail("match.device", "not allowed with scope \"node\"");
      if (m.contains("device_kind"))
        fail("match.device_kind", "not allowed with scope \"node\"");
    }
  } else {
    reject_unknown_fields(m, {"group", "edge_node", "device", "device_kind", "metric"}, "match.",
                          "in match");
  }
  out.group = get_patterns(m, "group");
  out.edge_node = get_patterns(m, "edge_node");
  out.device = get_patterns(m, "device");
  out.metric = get_patterns(m, "metric");
  auto kinds = m.find("device_kind");
  if (kinds != m.end()) {
    out.device_kinds = get_string_list(*kinds, "match.device_kind");
    for (size_t i = 0; i < out.device_kinds.size(); ++i) {
      const auto& k = out.device_kinds[i];
      if (k.empty() || k.find('*') != std::string::npos)
        fail("match.device_kind[" + std::to_string(i) + "]",
             "must be a non-empty device id prefix without '*'");
    }
  }
  return out;
}

rule parse_rule(const json& r) {
  if (!r.is_object())
    fail("", std::string{"must be an object, not "} + json_type_name(r));
  rule out;
  out.name = get_string(r, "name", true);
  if (!valid_rule_name(out.name))
    fail("name", "must be 1-128 characters of A-Z a-z 0-9 _ - .");
  auto kind_text = get_string(r, "kind", true);
  auto kind = rule_kind_from_string(kind_text);
  if (!kind)
    fail("kind", "unknown kind '" + kind_text
                   + "' (known: high, low, rate_of_change, no_data, offline, bad_quality)");
  out.kind = *kind;
  auto severity_text = get_string(r, "severity", true);
  auto level = severity_from_string(severity_text);
  if (!level)
    fail("severity", "unknown severity '" + severity_text + "' (known: info, warning, critical)");
  out.level = *level;

  constexpr auto delay_default = defaults::alarms::raise_delay_ms;
  constexpr auto clear_default = defaults::alarms::clear_delay_ms;
  switch (out.kind) {
    case rule_kind::high:
    case rule_kind::low:
      reject_unknown_fields(r, {"name", "kind", "severity", "match", "message", "description",
                                "threshold", "deadband", "raise_delay_ms", "clear_delay_ms"},
                            "", "for a high/low rule");
      out.limit = get_number(r, "threshold", true);
      out.deadband = get_number(r, "deadband", false, defaults::alarms::deadband);
      if (out.deadband < 0)
        fail("deadband", "must not be negative");
      break;
    case rule_kind::rate_of_change:
      reject_unknown_fields(r, {"name", "kind", "severity", "match", "message", "description",
                                "limit_per_s", "deadband", "span_ms", "raise_delay_ms",
                                "clear_delay_ms"},
                            "", "for a rate_of_change rule");
      out.limit = get_number(r, "limit_per_s", true);
      if (out.limit <= 0)
        fail("limit_per_s", "must be greater than 0");
      out.deadband = get_number(r, "deadband", false, defaults::alarms::deadband);
      if (out.deadband < 0 || out.deadband >= out.limit)
        fail("deadband", "must be at least 0 and below limit_per_s (or the alarm never clears)");
      out.span_ms = get_duration_ms(r, "span_ms", false, defaults::alarms::rate_span_ms);
      if (out.span_ms == 0)
        fail("span_ms", "must be greater than 0");
      break;
    case rule_kind::no_data:
      reject_unknown_fields(r, {"name", "kind", "severity", "match", "message", "description",
                                "timeout_ms"},
                            "", "for a no_data rule (it raises after timeout_ms and clears on "
                                "the next update)");
      out.timeout_ms = get_duration_ms(r, "timeout_ms", true, 0);
      if (out.timeout_ms == 0)
        fail("timeout_ms", "must be greater than 0");
      break;
    case rule_kind::offline:
      reject_unknown_fields(r, {"name", "kind", "severity", "match", "message", "description",
                                "raise_delay_ms", "clear_delay_ms"},
                            "", "for an offline rule");
      break;
    case rule_kind::bad_quality:
      reject_unknown_fields(r, {"name", "kind", "severity", "match", "message", "description",
                                "include_stale", "raise_delay_ms", "clear_delay_ms"},
                            "", "for a bad_quality rule");
      out.include_stale = get_bool(r, "include_stale", false);
      break;
  }
  if (out.kind != rule_kind::no_data) {
    out.raise_delay_ms = get_duration_ms(r, "raise_delay_ms", false, delay_default);
    out.clear_delay_ms = get_duration_ms(r, "clear_delay_ms", false, clear_default);
  }
  if (auto d = r.find("description"); d != r.end() && !d->is_string())
    fail("description", std::string{"must be a string, not "} + json_type_name(*d));
  out.match = parse_match(r, out.kind);
  out.message = get_string(r, "message", false, std::string{defaults::alarms::message});
  auto problem = walk_template(out.message, [](std::string_view) {}, [](std::string_view) {});
  if (!problem.empty())
    fail("message", problem);
  return out;
}

} // namespace

std::string config_error::to_string() const {
  std::string out = source.empty() ? "<rules>" : source;
  if (!rule.empty())
    out += ": rule '" + rule + "'";
  if (!field.empty())
    out += ": field '" + field + "'";
  out += ": " + detail;
  return out;
}

result<rule_set, config_error> rule_set::parse(std::string_view json_text, std::string source) {
  auto error = [&](std::string rule, std::string field, std::string detail) {
    return make_unexpected(
      config_error{source, std::move(rule), std::move(field), std::move(detail)});
  };
  if (json_text.size() > defaults::alarms::max_rule_file_bytes)
    return error({}, {}, "larger than " + std::to_string(defaults::alarms::max_rule_file_bytes)
                           + " bytes");
  json doc;
  try {
    doc = json::parse(json_text.begin(), json_text.end());
  } catch (const json::exception& e) {
    return error({}, {}, std::string{"invalid JSON: "} + e.what());
  }
  rule_set out;
  try {
    if (!doc.is_object())
      fail("", "the file must hold a JSON object with a \"rules\" array");
    reject_unknown_fields(doc, {"rules", "description"}, "", "at the top level");
    auto rules = doc.find("rules");
    if (rules == doc.end())
      fail("rules", "missing (required)");
    if (!rules->is_array())
      fail("rules", std::string{"must be an array, not "} + json_type_name(*rules));
    if (rules->size() > defaults::alarms::max_rules)
      fail("rules", "more than " + std::to_string(defaults::alarms::max_rules) + " rules");
  } catch (const invalid_field& e) {
    return error({}, e.field, e.detail);
  }
  const json& rules = doc["rules"];
  out.rules_.reserve(rules.size());
  for (size_t i = 0; i < rules.size(); ++i) {
    const json& r = rules[i];
    // Name errors by rule name when the rule has a usable one.
    std::string label = "rules[" + std::to_string(i) + "]";
    if (r.is_object()) {
      if (auto n = r.find("name"); n != r.end() && n->is_string() && !n->get<std::string>().empty())
        label = n->get<std::string>();
    }
    try {
      out.rules_.push_back(parse_rule(r));
    } catch (const invalid_field& e) {
      return error(label, e.field, e.detail);
    }
    auto index = static_cast<uint32_t>(i);
    if (auto previous = out.find(out.rules_.back().name); previous != static_cast<int64_t>(i))
      return error(label, "name",
                   "duplicate rule name (also rules[" + std::to_string(previous) + "])");
    const auto& added = out.rules_.back();
    if (added.kind == rule_kind::offline) {
      out.offline_.push_back(index);
    } else if (added.match.metric.all_literal()) {
      for (const auto& p : added.match.metric.patterns()) {
        auto& list = out.by_metric_[p.text()];
        if (list.empty() || list.back() != index) // the same name listed twice
          list.push_back(index);
      }
    } else {
      out.any_metric_.push_back(index);
    }
  }
  return out;
}

result<rule_set, config_error> rule_set::load(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return make_unexpected(config_error{path, {}, {}, std::string{"cannot open: "}
                                                        + std::strerror(errno)});
  constexpr auto limit = defaults::alarms::max_rule_file_bytes;
  std::string text;
  text.resize(limit + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad())
    return make_unexpected(config_error{path, {}, {}, "read error"});
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > limit)
    return make_unexpected(
      config_error{path, {}, {}, "larger than " + std::to_string(limit) + " bytes"});
  return parse(text, path);
}

int64_t rule_set::find(std::string_view name) const noexcept {
  for (size_t i = 0; i < rules_.size(); ++i)
    if (rules_[i].name == name)
      return static_cast<int64_t>(i);
  return -1;
}

bool rule_set::applies(const rule& r, const series_key& key) const noexcept {
  const auto& m = r.match;
  if (r.kind == rule_kind::offline) {
    if (key.is_metric())
      return false;
    if ((m.scope == offline_scope::node) != key.device.empty())
      return false;
  } else if (!key.is_metric() || !m.metric.matches(key.metric)) {
    return false;
  }
  if (!m.group.matches(key.group) || !m.edge_node.matches(key.edge_node)
      || !m.device.matches(key.device))
    return false;
  if (!m.device_kinds.empty()
      && std::none_of(m.device_kinds.begin(), m.device_kinds.end(),
                      [&](const std::string& k) { return device_kind_matches(key.device, k); }))
    return false;
  return true;
}

std::vector<uint32_t> rule_set::match(const series_key& key) const {
  std::vector<uint32_t> out;
  if (!key.is_metric()) {
    for (auto i : offline_)
      if (applies(rules_[i], key))
        out.push_back(i);
    return out;
  }
  static const std::vector<uint32_t> none;
  auto hit = by_metric_.find(key.metric);
  const auto& named = hit != by_metric_.end() ? hit->second : none;
  // Both candidate lists are ascending: merge them to keep file order.
  auto a = named.begin();
  auto b = any_metric_.begin();
  while (a != named.end() || b != any_metric_.end()) {
    uint32_t i;
    if (b == any_metric_.end() || (a != named.end() && *a < *b))
      i = *a++;
    else
      i = *b++;
    if (applies(rules_[i], key))
      out.push_back(i);
  }
  return out;
}

std::string render_message(const rule& r, const series_key& key, std::optional<double> value) {
  std::string out;
  out.reserve(r.message.size() + 32);
  walk_template(
    r.message, [&](std::string_view text) { out += text; },
    [&](std::string_view name) {
      if (name == "rule")
        out += r.name;
      else if (name == "severity")
        out += to_string(r.level);
      else if (name == "kind")
        out += to_string(r.kind);
      else if (name == "series")
        out += to_string(key);
      else if (name == "group")
        out += key.group;
      else if (name == "edge_node")
        out += key.edge_node;
      else if (name == "device")
        out += key.device;
      else if (name == "metric")
        out += key.metric;
      else if (name == "value")
        out += value ? format_number(*value) : "-";
      else if (name == "limit") {
        switch (r.kind) {
          case rule_kind::high:
          case rule_kind::low:
          case rule_kind::rate_of_change:
            out += format_number(r.limit);
            break;
          case rule_kind::no_data:
            out += format_number(static_cast<double>(r.timeout_ms) / 1000.0) + " s";
            break;
          default:
            out += "-";
        }
      } else if (name == "deadband")
        out += format_number(r.deadband);
    });
  return out;
}

} // namespace floe::alarms
