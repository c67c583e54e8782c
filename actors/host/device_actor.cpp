#include "actors/host/device_actor.hpp"

#include <algorithm>
#include <chrono>
#include <type_traits>
#include <utility>

#include <caf/typed_event_based_actor.hpp>
#include <nlohmann/json.hpp>

#include "actors/alarms/reading.hpp"
#include "actors/alarms/rule_set.hpp"
#include "actors/host/metric_values.hpp"
#include "common/log.hpp"
#include "store/series_dictionary.hpp"

namespace floe::host {

last_value& last_value::operator=(last_value&& other) noexcept {
  if (this != &other) {
    clear();
    word_ = other.word_;
    tag_ = other.tag_;
    other.tag_ = tag::none;
  }
  return *this;
}

void last_value::clear() noexcept {
  if (tag_ == tag::boxed)
    delete word_.boxed;
  tag_ = tag::none;
}

void last_value::set(sparkplug::value&& v) {
  // The alternatives after double (strings, bytes, arrays, DataSets, Templates) are boxed.
  constexpr size_t last_inline = 5;
  static_assert(std::is_same_v<std::variant_alternative_t<last_inline, sparkplug::value>, double>);
  if (tag_ == tag::boxed && v.index() > last_inline) { // reuse the box
    *word_.boxed = std::move(v);
    return;
  }
  clear();
  if (std::holds_alternative<std::monostate>(v)) {
    return;
  } else if (auto* b = std::get_if<bool>(&v)) {
    word_.b = *b;
    tag_ = tag::boolean;
  } else if (auto* i = std::get_if<int64_t>(&v)) {
    word_.i = *i;
    tag_ = tag::signed64;
  } else if (auto* u = std::get_if<uint64_t>(&v)) {
    word_.u = *u;
    tag_ = tag::unsigned64;
  } else if (auto* f = std::get_if<float>(&v)) {
    word_.f = *f;
    tag_ = tag::float32;
  } else if (auto* d = std::get_if<double>(&v)) {
    word_.d = *d;
    tag_ = tag::float64;
  } else {
    word_.boxed = new sparkplug::value(std::move(v));
    tag_ = tag::boxed;
  }
}

sparkplug::value last_value::get() const {
  switch (tag_) {
    case tag::none:
      return std::monostate{};
    case tag::boolean:
      return word_.b;
    case tag::signed64:
      return word_.i;
    case tag::unsigned64:
      return word_.u;
    case tag::float32:
      return word_.f;
    case tag::float64:
      return word_.d;
    case tag::boxed:
      return *word_.boxed;
  }
  return std::monostate{};
}

namespace {

// The tracked metrics in name order (views and the registry list metrics by name).
template <class Metrics>
auto by_name(Metrics& metrics) {
  std::vector<decltype(&metrics[0])> out;
  out.reserve(metrics.size());
  for (auto& m : metrics)
    if (m.tracked)
      out.push_back(&m);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->name < b->name; });
  return out;
}

alarms::series_key key_of(const device_actor_state& st, const std::string& metric) {
  return {st.group, st.edge_node, st.device, metric};
}

void report(device_pointer self, std::vector<alarms::alarm_event>&& events,
            bool restored = false) {
  if (events.empty() || !self->state.ctx->alarm_book)
    return;
  alarm_owner_actor owner = caf::actor_cast<device_actor>(self);
  self->send(self->state.ctx->alarm_book,
             alarms::alarm_report{std::move(events), owner, restored});
}

// Null when no rule applies (most metrics): they then cost nothing per value. Alarms that were
// active before a restart come back in their state (D17) and are reported to the alarm book.
std::unique_ptr<alarms::series_alarms> bind_alarms(device_pointer self, const std::string& metric,
                                                   int64_t now) {
  auto& st = self->state;
  if (!st.ctx->rules || st.ctx->rules->size() == 0)
    return nullptr;
  auto a = std::make_unique<alarms::series_alarms>(st.ctx->rules, key_of(st, metric), now);
  if (a->empty())
    return nullptr;
  if (st.ctx->saved_alarms)
    report(self, a->restore(*st.ctx->saved_alarms), true);
  return a;
}

void append(std::vector<alarms::alarm_event>& out, std::vector<alarms::alarm_event>&& in) {
  if (out.empty())
    out = std::move(in);
  else
    std::move(in.begin(), in.end(), std::back_inserter(out));
}

// One timer for every alarm of the device: re-armed when the earliest deadline changes.
void schedule(device_pointer self) {
  auto& st = self->state;
  std::optional<int64_t> next;
  auto consider = [&](const std::unique_ptr<alarms::series_alarms>& a) {
    if (!a)
      return;
    if (auto d = a->next_deadline(); d && (!next || *d < *next))
      next = d;
  };
  consider(st.presence_alarms);
  for (auto& m : st.metrics)
    consider(m.alarms);
  if (auto a = st.alarm_timer.rearm(next, st.ctx->now_ms()))
    self->delayed_send(self, std::chrono::milliseconds(a->delay_ms), timer_atom::value,
                       a->generation);
}

std::string registry_json(const device_actor_state& st, int64_t timestamp) {
  nlohmann::json metrics = nlohmann::json::array();
  for (const tracked_metric* m : by_name(st.metrics)) {
    nlohmann::json j{{"name", m->name}, {"datatype", sparkplug::to_string(m->type)},
                     {"series", m->series}};
    if (m->has_alias)
      j["alias"] = m->alias;
    if (m->properties) {
      nlohmann::json props = nlohmann::json::object();
      for (size_t i = 0; i < m->properties->keys.size(); ++i)
        props[m->properties->keys[i]] = render_property(m->properties->values[i]);
      j["properties"] = std::move(props);
    }
    metrics.push_back(std::move(j));
  }
  nlohmann::json doc{{"group", st.group},         {"edge_node", st.edge_node},
                     {"device", st.device},       {"timestamp", timestamp},
                     {"metrics", std::move(metrics)}};
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Template definitions and unnamed metrics get no series and take no values.
bool is_tracked(const metric_definition& d) {
  return !d.is_template_definition && !d.name.empty();
}

void on_birth(device_pointer self, device_birth& b) {
  auto& st = self->state;
  auto now = st.ctx->now_ms();
  std::vector<std::string> names;
  for (auto& d : b.metrics)
    if (is_tracked(d))
      names.push_back(store::series_name(st.group, st.edge_node, st.device, d.name));
  std::vector<store::series_id> ids(names.size(), 0);
  if (auto resolved = st.ctx->dictionary->resolve_all(names)) {
    ids = std::move(*resolved);
  } else {
    log::error("store", "series ids for the birth of %s/%s/%s: %s (its values are not stored)",
               st.group.c_str(), st.edge_node.c_str(), st.device.c_str(),
               store::to_string(resolved.error()).c_str());
  }
  // Alarms of metrics that stay keep their state: found by name in the old metric set.
  auto old_by_name = by_name(st.metrics);
  auto old_alarms = [&](const std::string& name) -> std::unique_ptr<alarms::series_alarms> {
    auto it = std::lower_bound(old_by_name.begin(), old_by_name.end(), name,
                               [](auto* m, const std::string& n) { return m->name < n; });
    if (it == old_by_name.end() || (*it)->name != name)
      return nullptr;
    return std::move((*it)->alarms);
  };
  std::vector<tracked_metric> next(b.metrics.size());
  size_t next_id = 0;
  for (size_t i = 0; i < b.metrics.size(); ++i) {
    auto& d = b.metrics[i];
    auto& m = next[i];
    m.tracked = is_tracked(d);
    m.name = std::move(d.name);
    m.type = d.type;
    if (!m.tracked)
      continue;
    m.series = ids[next_id++];
    if (d.alias) {
      m.has_alias = true;
      m.alias = *d.alias;
    }
    if (d.properties)
      m.properties = std::make_unique<const sparkplug::property_set>(std::move(*d.properties));
    m.alarms = old_alarms(m.name);
    if (!m.alarms)
      m.alarms = bind_alarms(self, m.name, now);
  }
  st.metrics = std::move(next);
  st.birth_timestamp = b.timestamp;
  ++st.messages;
  self->send(st.ctx->writer,
             storage_actors::registry_record{st.group + "/" + st.edge_node + "/" + st.device,
                                             registry_json(st, b.timestamp)});
}

void on_updates(device_pointer self, device_updates& msg) {
  auto& st = self->state;
  storage_actors::point_records out;
  out.points.reserve(msg.updates.size());
  out.samples.reserve(msg.updates.size());
  std::vector<alarms::alarm_event> events;
  bool counted = false;
  for (auto& u : msg.updates) {
    if (!u.from_birth && !counted) {
      ++st.messages;
      counted = true;
    }
    if (u.index >= st.metrics.size() || !st.metrics[u.index].tracked
        || st.metrics[u.index].name != u.name) {
      // Only the session decides which metrics exist; a value for an unknown one means the
      // birth certificate was not delivered to this actor (it is stored after the next birth).
      ++st.unstored_points;
      continue;
    }
    auto& m = st.metrics[u.index];
    if (m.series != 0 && !u.is_transient) {
      if (auto sv = stored_value_of(u.value, u.type)) {
        store::stored_point p;
        p.series = m.series;
        p.timestamp_ms = u.timestamp;
        p.value = std::move(*sv);
        p.flags.historical = u.is_historical;
        p.flags.quality = u.quality;
        out.points.push_back(std::move(p));
        if (auto kind = window_kind_of(u.type)) {
          windows::sample s;
          s.series_id = m.series;
          s.timestamp_ms = u.timestamp;
          s.historical = u.is_historical;
          if (fill_sample(s, *kind, u.value))
            out.samples.push_back(std::move(s));
        }
      }
    } else if (m.series == 0) {
      ++st.unstored_points;
    }
    if (u.is_historical)
      continue;
    if (m.has_value && u.timestamp < m.timestamp_ms && !u.from_birth)
      continue; // an older live value (reordered): stored above, not current
    ++m.updates;
    if (m.alarms) {
      alarms::sample s{u.timestamp, alarms::reading_of(u.value), u.quality};
      append(events, m.alarms->on_sample(s));
    }
    m.value.set(std::move(u.value));
    m.timestamp_ms = u.timestamp;
    m.quality = u.quality;
    m.has_value = true;
    m.stale = false;
  }
  if (!out.points.empty()) {
    out.ticket = backlog_ticket(st.ctx->backlog,
                                message_bytes<store::stored_point>(
                                  out.points.size(), out.samples.size() * sizeof(windows::sample)));
    self->send(st.ctx->writer, std::move(out));
  }
  report(self, std::move(events));
  schedule(self);
}

void on_status(device_pointer self, const device_status& s) {
  auto& st = self->state;
  std::vector<alarms::alarm_event> events;
  if (s.online) {
    st.online = true;
    if (st.presence_alarms)
      append(events, st.presence_alarms->on_online(s.timestamp));
    for (auto& m : st.metrics)
      if (m.alarms)
        append(events, m.alarms->on_online(s.timestamp));
  } else {
    st.online = false;
    st.offline_timestamp = s.timestamp;
    for (auto& m : st.metrics) {
      m.stale = true;
      if (m.alarms)
        append(events, m.alarms->on_offline(s.timestamp));
    }
    if (st.presence_alarms)
      append(events, st.presence_alarms->on_offline(s.timestamp));
  }
  report(self, std::move(events));
  schedule(self);
}

device_state_view make_view(const device_actor_state& st) {
  device_state_view v;
  v.group = st.group;
  v.edge_node = st.edge_node;
  v.device = st.device;
  v.online = st.online;
  v.birth_timestamp = st.birth_timestamp;
  v.offline_timestamp = st.offline_timestamp;
  v.messages = st.messages;
  auto add_alarms = [&](const std::unique_ptr<alarms::series_alarms>& a) {
    if (!a)
      return;
    for (auto& s : a->status())
      if (s.state != alarms::alarm_state::normal)
        v.alarms.push_back({s.alarm_id, alarms::to_string(s.state), alarms::to_string(s.level),
                            s.message});
  };
  add_alarms(st.presence_alarms);
  for (const tracked_metric* m : by_name(st.metrics)) {
    metric_view mv;
    mv.name = m->name;
    mv.alias = m->has_alias ? static_cast<int64_t>(m->alias) : -1;
    mv.datatype = sparkplug::to_string(m->type);
    if (m->has_value) {
      auto value = m->value.get();
      mv.value = render_value(value);
      if (auto r = alarms::reading_of(value); r && m->type != sparkplug::datatype::boolean) {
        mv.numeric = true;
        mv.number = *r;
      }
    }
    mv.timestamp_ms = m->timestamp_ms;
    mv.quality = m->stale ? quality_stale : m->quality;
    mv.stale = m->stale;
    mv.updates = m->updates;
    if (m->properties)
      for (size_t i = 0; i < m->properties->keys.size(); ++i)
        mv.properties[m->properties->keys[i]] = render_property(m->properties->values[i]);
    v.metrics.push_back(std::move(mv));
    add_alarms(m->alarms);
  }
  return v;
}

} // namespace

device_actor::behavior_type device_behavior(device_pointer self, host_context_ptr ctx,
                                            std::string group, std::string edge_node,
                                            std::string device) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.group = std::move(group);
  st.edge_node = std::move(edge_node);
  st.device = std::move(device);
  st.presence_alarms = bind_alarms(self, "", st.ctx->now_ms());
  return {
    [=](device_birth& b) { on_birth(self, b); },
    [=](device_updates& u) { on_updates(self, u); },
    [=](const device_status& s) { on_status(self, s); },
    [=](timer_atom, uint64_t gen) {
      auto& st = self->state;
      if (!st.alarm_timer.fire(gen))
        return;
      auto now = st.ctx->now_ms();
      std::vector<alarms::alarm_event> events;
      if (st.presence_alarms)
        append(events, st.presence_alarms->on_tick(now));
      for (auto& m : st.metrics)
        if (m.alarms)
          append(events, m.alarms->on_tick(now));
      report(self, std::move(events));
      schedule(self);
    },
    [=](caf::get_atom) { return make_view(self->state); },
    [=](ack_atom, const std::string& alarm_id, const std::string& who) -> std::string {
      auto& st = self->state;
      auto now = st.ctx->now_ms();
      auto try_ack = [&](std::unique_ptr<alarms::series_alarms>& a) -> std::optional<std::string> {
        if (!a)
          return std::nullopt;
        auto r = a->acknowledge(alarm_id, who, now);
        if (!r && r.error() == alarms::ack_error::unknown_alarm)
          return std::nullopt;
        if (!r)
          return std::string("error: ") + alarms::to_string(r.error());
        std::vector<alarms::alarm_event> events{std::move(*r)};
        report(self, std::move(events));
        return std::string("acknowledged ") + alarm_id + " by " + who;
      };
      if (auto r = try_ack(st.presence_alarms))
        return *r;
      for (auto& m : st.metrics)
        if (auto r = try_ack(m.alarms))
          return *r;
      return "error: unknown alarm " + alarm_id;
    },
  };
}

} // namespace floe::host
