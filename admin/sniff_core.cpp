#include "admin/sniff_core.hpp"

#include <nlohmann/json.hpp>

#include "actors/host/metric_values.hpp"
#include "admin/text.hpp"
#include "sparkplug/payload_codec.hpp"

namespace floe::admin {

namespace {

using json = nlohmann::json;
using sparkplug::message_type;

std::optional<int64_t> integer_of(const sparkplug::value& v) {
  if (auto* i = std::get_if<int64_t>(&v))
    return *i;
  if (auto* u = std::get_if<uint64_t>(&v))
    return static_cast<int64_t>(*u);
  return std::nullopt;
}

std::string type_key(std::string_view device, std::string_view name) {
  std::string k(device);
  k += '\x1f';
  k += name;
  return k;
}

bool is_birth(message_type t) {
  return t == message_type::nbirth || t == message_type::dbirth;
}

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace

sniff_core::sniff_core(sniff_format f) : format_(f) {
}

std::string sniff_core::on_message(std::string_view topic, std::string_view payload,
                                   int64_t arrival_ms) {
  ++messages_;
  std::string time = format_time(arrival_ms);
  auto t = sparkplug::parse_topic(topic);
  json j;
  if (format_.json)
    j = {{"time_ms", arrival_ms}, {"time", time}, {"topic", topic}, {"bytes", payload.size()}};
  std::vector<violation> found;
  auto finish = [&](std::string line) {
    violations_ += found.size();
    if (format_.json) {
      json v = json::array();
      for (auto& x : found)
        v.push_back({{"kind", to_string(x.kind)}, {"text", x.text}});
      j["violations"] = v;
      return dump(j);
    }
    for (auto& x : found)
      line += "  !! " + x.text;
    return line;
  };

  if (!t) {
    bool claims = topic.substr(0, sparkplug::topic_namespace.size()) == sparkplug::topic_namespace;
    if (claims)
      found.push_back({violation_kind::bad_topic,
                       "bad topic: " + sparkplug::to_string(t.error())});
    if (format_.json)
      j["type"] = nullptr;
    return finish(time + "  " + (claims ? "?" : "OTHER") + "  " + std::string(topic) + "  "
                  + std::to_string(payload.size()) + " bytes");
  }

  const auto& tv = *t;
  std::string type = sparkplug::to_string(tv.type);
  if (format_.json)
    j["type"] = type;

  if (tv.type == message_type::state) {
    std::string line = time + "  STATE   " + std::string(tv.host_id);
    if (format_.json)
      j["host_id"] = tv.host_id;
    if (tv.legacy_state) {
      line += "  (2.2 form) " + clip(payload, format_.max_value_chars);
      if (format_.json)
        j["payload"] = payload;
      return finish(line);
    }
    auto st = sparkplug::decode_state(payload);
    if (!st) {
      found.push_back({violation_kind::malformed_payload,
                       "malformed payload: " + sparkplug::to_string(st.error())});
      return finish(line);
    }
    line += std::string(st->online ? "  online" : "  offline") + "  timestamp "
            + format_time(static_cast<int64_t>(st->timestamp));
    if (format_.json) {
      j["online"] = st->online;
      j["timestamp_ms"] = st->timestamp;
    }
    return finish(line);
  }

  message_facts facts;
  facts.type = tv.type;
  facts.group = std::string(tv.group_id);
  facts.edge_node = std::string(tv.edge_node_id);
  facts.device = std::string(tv.device_id);
  std::string path = facts.group + "/" + facts.edge_node
                     + (facts.device.empty() ? "" : "/" + facts.device);
  std::string head = time + "  " + type + std::string(type.size() < 6 ? 6 - type.size() : 0, ' ')
                     + "  " + path;
  if (format_.json) {
    j["group"] = facts.group;
    j["edge_node"] = facts.edge_node;
    if (!facts.device.empty())
      j["device"] = facts.device;
  }

  auto decoded = sparkplug::decode_payload(payload);
  if (!decoded) {
    if (tv.type != message_type::ncmd && tv.type != message_type::dcmd)
      found.push_back(tracker_.malformed(facts, sparkplug::to_string(decoded.error())));
    else
      found.push_back({violation_kind::malformed_payload,
                       "malformed payload: " + sparkplug::to_string(decoded.error())});
    return finish(head + "  " + std::to_string(payload.size()) + " bytes");
  }
  auto& p = *decoded;
  auto& names = names_[facts.group + "/" + facts.edge_node];
  if (tv.type == message_type::nbirth)
    names = edge_names{};
  for (auto& m : p.metrics) {
    if (is_birth(tv.type)) {
      if (m.name && m.alias)
        names.by_alias[*m.alias] = known_metric{*m.name, m.type};
      if (m.name)
        names.types[type_key(facts.device, *m.name)] = m.type;
      continue;
    }
    if (!m.name && m.alias) {
      auto it = names.by_alias.find(*m.alias);
      if (it != names.by_alias.end())
        m.name = it->second.name;
    }
    if (m.type == sparkplug::datatype::unknown && m.name) {
      auto it = names.types.find(type_key(facts.device, *m.name));
      if (it != names.types.end() && it->second != sparkplug::datatype::unknown) {
        auto copy = m;
        if (sparkplug::resolve_datatype(copy, it->second))
          m = std::move(copy);
      }
    }
  }
  if (tv.type == message_type::nbirth || tv.type == message_type::ndeath)
    for (auto& m : p.metrics)
      if (m.name && *m.name == sparkplug::bdseq_metric)
        facts.bdseq = integer_of(m.val);
  facts.seq = p.seq;
  found = tracker_.observe(facts);

  std::string line = head;
  if (p.seq)
    line += "  seq " + std::to_string(*p.seq);
  if (facts.bdseq)
    line += "  bdSeq " + std::to_string(*facts.bdseq);
  line += "  " + std::to_string(p.metrics.size()) + (p.metrics.size() == 1 ? " metric" : " metrics");
  auto name_of = [](const sparkplug::metric& m) {
    return m.name ? *m.name : (m.alias ? "#" + std::to_string(*m.alias) : std::string("?"));
  };
  std::string shown;
  for (size_t i = 0; i < p.metrics.size() && i < format_.metrics_shown; ++i)
    shown += (i == 0 ? "" : ", ") + name_of(p.metrics[i]) + "="
             + clip(host::render_value(p.metrics[i].val), format_.max_value_chars);
  if (p.metrics.size() > format_.metrics_shown && format_.metrics_shown > 0)
    shown += ", …";
  if (!shown.empty())
    line += "  " + shown;

  if (format_.json) {
    j["seq"] = p.seq ? json(*p.seq) : json(nullptr);
    j["bdseq"] = facts.bdseq ? json(*facts.bdseq) : json(nullptr);
    j["timestamp_ms"] = p.timestamp ? json(*p.timestamp) : json(nullptr);
    j["metric_count"] = p.metrics.size();
    json ms = json::array();
    for (auto& m : p.metrics) {
      json x{{"name", name_of(m)},
             {"datatype", sparkplug::to_string(m.type)},
             {"value", host::render_value(m.val)}};
      if (m.alias)
        x["alias"] = *m.alias;
      if (m.timestamp)
        x["timestamp_ms"] = *m.timestamp;
      if (m.is_historical)
        x["historical"] = true;
      if (m.is_null)
        x["null"] = true;
      ms.push_back(std::move(x));
    }
    j["metrics"] = ms;
  }
  return finish(line);
}

} // namespace floe::admin
