#include "sim/profile.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "sparkplug/topic.hpp"

namespace floe::sim {

namespace {

using json = nlohmann::json;
using sparkplug::datatype;

// Thrown inside the parser only; parse_profile turns it into an error value.
struct profile_error {
  std::string path;
  std::string message;
};

[[noreturn]] void fail_at(const std::string& path, const std::string& message) {
  throw profile_error{path, message};
}

std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string index_path(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

const char* json_kind(const json& j) {
  return j.type_name();
}

// Reads the members of one JSON object and rejects keys nobody asked for (typos).
class object_reader {
public:
  object_reader(const json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object())
      fail_at(path_, std::string("must be an object, not ") + json_kind(j_));
  }

  const std::string& path() const { return path_; }
  std::string at(std::string_view key) const { return join(path_, key); }

  const json* find(std::string_view key) {
    seen_.insert(std::string(key));
    auto it = j_.find(std::string(key));
    return it == j_.end() ? nullptr : &*it;
  }

  bool has(std::string_view key) const { return j_.contains(std::string(key)); }

  const json& require(std::string_view key) {
    const json* v = find(key);
    if (v == nullptr)
      fail_at(at(key), "is required");
    return *v;
  }

  double number(std::string_view key, std::optional<double> fallback = std::nullopt) {
    const json* v = find(key);
    if (v == nullptr) {
      if (!fallback)
        fail_at(at(key), "is required");
      return *fallback;
    }
    if (!v->is_number())
      fail_at(at(key), std::string("must be a number, not ") + json_kind(*v));
    return v->get<double>();
  }

  std::optional<double> optional_number(std::string_view key) {
    if (!has(key)) {
      seen_.insert(std::string(key));
      return std::nullopt;
    }
    return number(key);
  }

  std::string string(std::string_view key, std::optional<std::string> fallback = std::nullopt) {
    const json* v = find(key);
    if (v == nullptr) {
      if (!fallback)
        fail_at(at(key), "is required");
      return *fallback;
    }
    if (!v->is_string())
      fail_at(at(key), std::string("must be a string, not ") + json_kind(*v));
    return v->get<std::string>();
  }

  std::optional<std::string> optional_string(std::string_view key) {
    if (!has(key)) {
      seen_.insert(std::string(key));
      return std::nullopt;
    }
    return string(key);
  }

  bool boolean(std::string_view key, bool fallback) {
    const json* v = find(key);
    if (v == nullptr)
      return fallback;
    if (!v->is_boolean())
      fail_at(at(key), std::string("must be true or false, not ") + json_kind(*v));
    return v->get<bool>();
  }

  // Call after reading every known key. "comment" keys document profiles and are ignored.
  void reject_unknown_keys() const {
    for (const auto& item : j_.items())
      if (item.key() != "comment" && seen_.count(item.key()) == 0)
        fail_at(at(item.key()), "unknown key");
  }

private:
  const json& j_;
  std::string path_;
  std::set<std::string> seen_;
};

void check_min(const std::string& path, double v, double lo, bool inclusive = true) {
  if (inclusive ? v < lo : v <= lo) {
    std::ostringstream msg;
    msg << "must be " << (inclusive ? ">= " : "> ") << lo << ", is " << v;
    fail_at(path, msg.str());
  }
}

void check_range(const std::string& path, double v, double lo, double hi) {
  if (v < lo || v > hi) {
    std::ostringstream msg;
    msg << "must be within " << lo << ".." << hi << ", is " << v;
    fail_at(path, msg.str());
  }
}

bool is_supported(datatype t) {
  switch (t) {
    case datatype::int8:
    case datatype::int16:
    case datatype::int32:
    case datatype::int64:
    case datatype::uint8:
    case datatype::uint16:
    case datatype::uint32:
    case datatype::uint64:
    case datatype::float32:
    case datatype::float64:
    case datatype::boolean:
    case datatype::string:
    case datatype::text:
    case datatype::datetime:
      return true;
    default:
      return false;
  }
}

bool is_textual(datatype t) {
  return t == datatype::string || t == datatype::text;
}

datatype parse_datatype(const std::string& path, const std::string& name) {
  auto t = sparkplug::datatype_from_string(name);
  if (!t)
    fail_at(path, "unknown Sparkplug datatype '" + name + "'");
  if (!is_supported(*t))
    fail_at(path, "datatype " + name
                    + " is not simulated (scalar types only: Int8..Int64, UInt8..UInt64, Float, "
                      "Double, Boolean, String, Text, DateTime)");
  return *t;
}

// Earlier metrics of the same device, for `while`, `integrates` and `per_wrap_of`.
struct earlier_metrics {
  const std::vector<metric_spec>& list;

  size_t find(const std::string& path, const std::string& name) const {
    for (size_t i = 0; i < list.size(); ++i)
      if (list[i].name == name)
        return i;
    fail_at(path, "'" + name + "' is not a metric defined before this one");
  }
};

signal_spec parse_signal(const json& j, const std::string& path, const earlier_metrics& earlier,
                         datatype type, std::optional<std::string>* text) {
  object_reader r{j, path};
  std::string model = r.string("model");
  signal_spec out;
  if (model == "constant") {
    constant_signal c;
    const json& v = r.require("value");
    if (v.is_string()) {
      if (text == nullptr || !is_textual(type))
        fail_at(r.at("value"), "a string constant needs a String or Text metric");
      *text = v.get<std::string>();
    } else if (v.is_boolean()) {
      c.value = v.get<bool>() ? 1.0 : 0.0;
    } else if (v.is_number()) {
      c.value = v.get<double>();
    } else {
      fail_at(r.at("value"), std::string("must be a number, boolean or string, not ")
                               + json_kind(v));
    }
    c.noise = r.number("noise", 0.0);
    check_min(r.at("noise"), c.noise, 0);
    out = c;
  } else if (model == "random_walk") {
    random_walk_signal w;
    w.min = r.number("min");
    w.max = r.number("max");
    if (!(w.min < w.max))
      fail_at(r.at("max"), "must be greater than min");
    w.start = r.number("start", (w.min + w.max) / 2);
    check_range(r.at("start"), w.start, w.min, w.max);
    w.step = r.number("step", (w.max - w.min) / 100);
    check_min(r.at("step"), w.step, 0);
    w.drift = r.number("drift", 0.0);
    w.revert = r.number("revert", 0.0);
    check_range(r.at("revert"), w.revert, 0, 1);
    out = w;
  } else if (model == "sine") {
    sine_signal s;
    s.offset = r.number("offset");
    s.amplitude = r.number("amplitude");
    check_min(r.at("amplitude"), s.amplitude, 0);
    s.period_s = r.number("period_s");
    check_min(r.at("period_s"), s.period_s, 0, false);
    s.noise = r.number("noise", 0.0);
    check_min(r.at("noise"), s.noise, 0);
    out = s;
  } else if (model == "sawtooth") {
    sawtooth_signal s;
    s.min = r.number("min");
    s.max = r.number("max");
    if (!(s.min < s.max))
      fail_at(r.at("max"), "must be greater than min");
    s.period_s = r.number("period_s");
    check_min(r.at("period_s"), s.period_s, 0, false);
    s.jitter = r.number("jitter", 0.0);
    check_range(r.at("jitter"), s.jitter, 0, 0.9);
    out = s;
  } else if (model == "counter") {
    counter_signal c;
    c.start = r.number("start", 0.0);
    check_min(r.at("start"), c.start, 0);
    c.scale = r.number("scale", 1.0);
    check_min(r.at("scale"), c.scale, 0);
    int sources = int{r.has("rate")} + int{r.has("integrates")} + int{r.has("per_wrap_of")};
    if (sources != 1)
      fail_at(path, "a counter needs exactly one of rate, integrates, per_wrap_of");
    if (r.has("rate")) {
      c.rate = r.number("rate");
      check_min(r.at("rate"), c.rate, 0);
    } else if (r.has("integrates")) {
      c.by = counter_signal::source::integral;
      c.input = earlier.find(r.at("integrates"), r.string("integrates"));
      if (!sparkplug::is_numeric(earlier.list[c.input].type))
        fail_at(r.at("integrates"), "must name a numeric metric");
    } else {
      c.by = counter_signal::source::wraps;
      c.input = earlier.find(r.at("per_wrap_of"), r.string("per_wrap_of"));
      if (!std::holds_alternative<sawtooth_signal>(earlier.list[c.input].signal))
        fail_at(r.at("per_wrap_of"), "must name a sawtooth metric");
    }
    out = c;
  } else if (model == "duty_cycle") {
    duty_cycle_signal d;
    d.period_s = r.number("period_s");
    check_min(r.at("period_s"), d.period_s, 0, false);
    d.duty = r.number("duty");
    check_range(r.at("duty"), d.duty, 0, 1);
    d.jitter = r.number("jitter", 0.0);
    check_range(r.at("jitter"), d.jitter, 0, 0.9);
    out = d;
  } else if (model == "excursion") {
    excursion_signal e;
    e.baseline = r.number("baseline");
    e.noise = r.number("noise", 0.0);
    check_min(r.at("noise"), e.noise, 0);
    e.per_hour = r.number("per_hour");
    check_min(r.at("per_hour"), e.per_hour, 0);
    e.peak = r.number("peak");
    e.duration_s = r.number("duration_s");
    check_min(r.at("duration_s"), e.duration_s, 0, false);
    out = e;
  } else {
    fail_at(r.at("model"), "unknown model '" + model
                             + "' (constant, random_walk, sine, sawtooth, counter, duty_cycle, "
                               "excursion)");
  }
  r.reject_unknown_keys();
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::vector<metric_spec> parse_metrics(const json& j, const std::string& path, bool node_level) {
  if (!j.is_array())
    fail_at(path, std::string("must be an array, not ") + json_kind(j));
  std::vector<metric_spec> out;
  std::set<std::string> names_lower;
  for (size_t i = 0; i < j.size(); ++i) {
    object_reader r{j[i], index_path(path, i)};
    metric_spec m;
    m.name = r.string("name");
    if (m.name.empty())
      fail_at(r.at("name"), "must not be empty");
    if (node_level
        && (m.name == sparkplug::bdseq_metric || m.name == sparkplug::node_rebirth_metric))
      fail_at(r.at("name"), "'" + m.name + "' is written by the simulator itself");
    // Sparkplug: metric names that differ only in case SHOULD NOT share a birth.
    if (!names_lower.insert(lower(m.name)).second)
      fail_at(r.at("name"), "duplicate metric name '" + m.name + "' (compared case-insensitively)");
    m.type = parse_datatype(r.at("datatype"), r.string("datatype"));
    earlier_metrics earlier{out};
    m.signal = parse_signal(r.require("signal"), r.at("signal"), earlier, m.type, &m.text);
    if (auto gate = r.optional_string("while")) {
      m.gate = earlier.find(r.at("while"), *gate);
      if (out[*m.gate].type != datatype::boolean)
        fail_at(r.at("while"), "must name a Boolean metric");
    }
    if (const json* otherwise = r.find("otherwise")) {
      if (!m.gate)
        fail_at(r.at("otherwise"), "needs 'while'");
      m.otherwise = parse_signal(*otherwise, r.at("otherwise"), earlier, m.type, nullptr);
    }
    m.lag_s = r.number("lag_s", 0.0);
    check_min(r.at("lag_s"), m.lag_s, 0);
    m.noise = r.number("noise", 0.0);
    check_min(r.at("noise"), m.noise, 0);
    if (m.noise > 0 && (std::holds_alternative<counter_signal>(m.signal)
                        || !sparkplug::is_numeric(m.type)))
      fail_at(r.at("noise"), "measurement noise needs a numeric metric that is not a counter");
    m.min = r.optional_number("min");
    m.max = r.optional_number("max");
    if (m.min && m.max && !(*m.min <= *m.max))
      fail_at(r.at("max"), "must be >= min");
    if (auto d = r.optional_number("decimals")) {
      check_range(r.at("decimals"), *d, 0, 12);
      if (*d != static_cast<int>(*d))
        fail_at(r.at("decimals"), "must be a whole number");
      m.decimals = static_cast<int>(*d);
    }
    m.unit = r.optional_string("unit");
    m.low = r.optional_number("low");
    m.high = r.optional_number("high");
    r.reject_unknown_keys();
    out.push_back(std::move(m));
  }
  return out;
}

device_kind parse_device_kind(const json& j, const std::string& path) {
  object_reader r{j, path};
  device_kind k;
  k.kind = r.string("kind");
  if (k.kind.empty())
    fail_at(r.at("kind"), "must not be empty");
  k.id_prefix = r.string("id_prefix", k.kind + "-");
  if (auto valid = sparkplug::validate_id(k.id_prefix + "1"); !valid)
    fail_at(r.at("id_prefix"), "not usable in a Sparkplug device id: " + valid.error().detail);
  k.weight = r.number("weight", 1.0);
  check_min(r.at("weight"), k.weight, 0, false);
  k.metrics = parse_metrics(r.require("metrics"), r.at("metrics"), false);
  if (k.metrics.empty())
    fail_at(r.at("metrics"), "must list at least one metric");
  r.reject_unknown_keys();
  return k;
}

synthetic_spec parse_synthetic(const json& j, const std::string& path) {
  object_reader r{j, path};
  synthetic_spec s;
  double count = r.number("metrics");
  check_range(r.at("metrics"), count, 1, 100'000);
  if (count != static_cast<double>(static_cast<size_t>(count)))
    fail_at(r.at("metrics"), "must be a whole number");
  s.metrics = static_cast<size_t>(count);
  const json& types = r.require("datatypes");
  if (!types.is_array() || types.empty())
    fail_at(r.at("datatypes"), "must be a non-empty array of datatype names");
  for (size_t i = 0; i < types.size(); ++i) {
    std::string where = index_path(r.at("datatypes"), i);
    if (!types[i].is_string())
      fail_at(where, "must be a datatype name");
    s.datatypes.push_back(parse_datatype(where, types[i].get<std::string>()));
  }
  s.kind = r.string("kind", s.kind);
  s.id_prefix = r.string("id_prefix", s.id_prefix);
  if (auto valid = sparkplug::validate_id(s.id_prefix + "1"); !valid)
    fail_at(r.at("id_prefix"), "not usable in a Sparkplug device id: " + valid.error().detail);
  r.reject_unknown_keys();
  return s;
}

profile parse_document(const json& doc) {
  object_reader r{doc, ""};
  profile p;
  p.name = r.string("name");
  p.description = r.string("description", "");
  p.report_by_exception = r.boolean("report_by_exception", true);
  p.node_data_interval_s = r.number("node_data_interval_s", 0.0);
  check_min("node_data_interval_s", p.node_data_interval_s, 0);
  if (const json* nm = r.find("node_metrics"))
    p.node_metrics = parse_metrics(*nm, "node_metrics", true);
  const json* kinds = r.find("device_kinds");
  const json* synthetic = r.find("synthetic");
  if ((kinds == nullptr) == (synthetic == nullptr))
    fail_at("device_kinds", "a profile needs exactly one of 'device_kinds' and 'synthetic'");
  if (kinds != nullptr) {
    if (!kinds->is_array() || kinds->empty())
      fail_at("device_kinds", "must be a non-empty array");
    std::set<std::string> prefixes;
    for (size_t i = 0; i < kinds->size(); ++i) {
      p.device_kinds.push_back(parse_device_kind((*kinds)[i], index_path("device_kinds", i)));
      if (!prefixes.insert(p.device_kinds.back().id_prefix).second)
        fail_at(index_path("device_kinds", i) + ".id_prefix",
                "'" + p.device_kinds.back().id_prefix + "' is used by another kind");
    }
  } else {
    p.synthetic = parse_synthetic(*synthetic, "synthetic");
  }
  r.reject_unknown_keys();
  return p;
}

metric_spec synthetic_metric(size_t index, size_t width, datatype type) {
  metric_spec m;
  std::string number = std::to_string(index + 1);
  m.name = "metric-" + std::string(width > number.size() ? width - number.size() : 0, '0') + number;
  m.type = type;
  switch (type) {
    case datatype::boolean:
      m.signal = duty_cycle_signal{20.0, 0.5, 0.5};
      break;
    case datatype::int8:
      m.signal = random_walk_signal{0, 10, 0, 0.01, -100, 100};
      break;
    case datatype::uint8:
      m.signal = random_walk_signal{100, 10, 0, 0.01, 0, 200};
      break;
    case datatype::int16:
    case datatype::int32:
    case datatype::int64:
      m.signal = random_walk_signal{0, 50, 0, 0.01, -10'000, 10'000};
      break;
    case datatype::uint16:
    case datatype::uint32:
    case datatype::uint64:
      m.signal = random_walk_signal{5'000, 50, 0, 0.01, 0, 10'000};
      break;
    case datatype::string:
    case datatype::text:
      m.signal = random_walk_signal{50, 2, 0, 0.01, 0, 100};
      m.decimals = 2;
      break;
    default: // Float, Double; DateTime reports the sample time whatever the signal
      m.signal = random_walk_signal{50, 2, 0, 0.01, 0, 100};
      break;
  }
  return m;
}

} // namespace

result<profile, std::string> parse_profile(std::string_view json_text, std::string_view source) {
  json doc;
  try {
    doc = json::parse(json_text.begin(), json_text.end());
  } catch (const json::exception& e) {
    return make_unexpected(std::string(source) + ": not valid JSON: " + e.what());
  }
  try {
    return parse_document(doc);
  } catch (const profile_error& e) {
    return make_unexpected(std::string(source) + ": " + (e.path.empty() ? "" : e.path + ": ")
                           + e.message);
  } catch (const json::exception& e) {
    return make_unexpected(std::string(source) + ": " + e.what());
  }
}

result<profile, std::string> load_profile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return make_unexpected("cannot open profile " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    return make_unexpected("cannot read profile " + path);
  return parse_profile(text.str(), path);
}

result<void, std::string> expand_synthetic(profile& p, std::optional<size_t> metric_count) {
  if (!p.synthetic) {
    if (metric_count)
      return make_unexpected("--metrics applies to synthetic profiles only; profile '" + p.name
                             + "' defines its devices' metrics itself");
    return {};
  }
  const synthetic_spec& s = *p.synthetic;
  size_t count = metric_count.value_or(s.metrics);
  if (count == 0)
    return make_unexpected(std::string("--metrics must be at least 1"));
  device_kind k;
  k.kind = s.kind;
  k.id_prefix = s.id_prefix;
  size_t width = std::max<size_t>(4, std::to_string(count).size());
  k.metrics.reserve(count);
  for (size_t i = 0; i < count; ++i)
    k.metrics.push_back(synthetic_metric(i, width, s.datatypes[i % s.datatypes.size()]));
  p.device_kinds = {std::move(k)};
  p.synthetic.reset();
  return {};
}

size_t max_metrics_per_device(const profile& p) {
  size_t most = 0;
  for (const auto& k : p.device_kinds)
    most = std::max(most, k.metrics.size());
  return most;
}

} // namespace floe::sim
