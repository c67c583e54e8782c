#include "actors/host/edge_node_session.hpp"

#include <algorithm>
#include <limits>
#include <utility>

#include "sparkplug/payload_codec.hpp"

namespace floe::host {

using sparkplug::datatype;
using sparkplug::message_type;
using sparkplug::metric;
using sparkplug::payload;

namespace {

// A seq this far ahead of the expected one (mod 256) is held; farther "ahead" is behind.
constexpr uint8_t max_seq_ahead = 127;

int64_t to_ms(uint64_t t) noexcept {
  constexpr auto max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  return t > max ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(t);
}

int64_t payload_time(const payload& p, int64_t now_ms) noexcept {
  return p.timestamp ? to_ms(*p.timestamp) : now_ms;
}

std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '\'';
  out += s;
  out += '\'';
  return out;
}

// Who a scope is in fault details: "node" or "device 'D'".
std::string scope_name(std::string_view device) {
  return device.empty() ? std::string("node") : "device " + quoted(device);
}

struct bdseq_reading {
  std::optional<uint64_t> value;
  const char* problem = nullptr; // set when value is absent
};

// bdSeq is INT64 by the spec but often UInt64 (or untyped in a raw field): any non-negative
// integer counts.
bdseq_reading read_bdseq(const std::vector<metric>& metrics) {
  for (const auto& m : metrics) {
    if (!m.name || *m.name != sparkplug::bdseq_metric)
      continue;
    if (m.is_null)
      return {std::nullopt, "bdSeq is null"};
    if (const auto* u = std::get_if<uint64_t>(&m.val))
      return {*u, nullptr};
    if (const auto* i = std::get_if<int64_t>(&m.val)) {
      if (*i >= 0)
        return {static_cast<uint64_t>(*i), nullptr};
      return {std::nullopt, "bdSeq is negative"};
    }
    return {std::nullopt, "bdSeq is not an integer"};
  }
  return {std::nullopt, "no bdSeq metric"};
}

bool has_metric(const std::vector<metric>& metrics, std::string_view name) {
  return std::any_of(metrics.begin(), metrics.end(),
                     [&](const metric& m) { return m.name && *m.name == name; });
}

int32_t quality_of(const std::optional<sparkplug::property_set>& props) {
  if (!props)
    return quality_good;
  const auto* v = props->find("Quality");
  if (!v)
    return quality_good;
  if (const auto* i = std::get_if<int64_t>(&v->value))
    return static_cast<int32_t>(*i);
  if (const auto* u = std::get_if<uint64_t>(&v->value))
    return static_cast<int32_t>(*u);
  return quality_good;
}

// Definition of a birth metric; template values contribute their members' definitions.
metric_definition define(const metric& m) {
  metric_definition d;
  if (m.name)
    d.name = *m.name;
  d.alias = m.alias;
  d.type = m.type;
  if (m.properties)
    d.properties.ensure() = *m.properties;
  if (const auto* tv = std::get_if<sparkplug::template_value>(&m.val)) {
    if (tv->template_ref)
      d.template_ref.ensure() = *tv->template_ref;
    d.is_template_definition = tv->is_definition.value_or(false);
    d.members.reserve(tv->metrics.size());
    for (const auto& member : tv->metrics)
      d.members.push_back(define(member));
  }
  return d;
}

const metric_definition* find_member(const std::vector<metric_definition>& members,
                                     const std::string& name) {
  for (const auto& d : members)
    if (d.name == name)
      return &d;
  return nullptr;
}

} // namespace

// ---- enums ----

const char* to_string(fault_kind k) noexcept {
  switch (k) {
    case fault_kind::missing_bdseq: return "missing_bdseq";
    case fault_kind::missing_rebirth_metric: return "missing_rebirth_metric";
    case fault_kind::invalid_birth_metric: return "invalid_birth_metric";
    case fault_kind::duplicate_alias: return "duplicate_alias";
    case fault_kind::data_before_birth: return "data_before_birth";
    case fault_kind::invalid_seq: return "invalid_seq";
    case fault_kind::duplicate_seq: return "duplicate_seq";
    case fault_kind::seq_gap: return "seq_gap";
    case fault_kind::reorder_overflow: return "reorder_overflow";
    case fault_kind::reorder_discarded: return "reorder_discarded";
    case fault_kind::unknown_alias: return "unknown_alias";
    case fault_kind::unknown_metric: return "unknown_metric";
    case fault_kind::unknown_template_member: return "unknown_template_member";
    case fault_kind::device_without_birth: return "device_without_birth";
    case fault_kind::datatype_mismatch: return "datatype_mismatch";
    case fault_kind::value_mismatch: return "value_mismatch";
    case fault_kind::stale_ndeath: return "stale_ndeath";
  }
  return "invalid";
}

const char* to_string(rebirth_reason r) noexcept {
  switch (r) {
    case rebirth_reason::data_before_birth: return "data_before_birth";
    case rebirth_reason::seq_gap: return "seq_gap";
    case rebirth_reason::reorder_overflow: return "reorder_overflow";
    case rebirth_reason::unknown_alias: return "unknown_alias";
    case rebirth_reason::unknown_metric: return "unknown_metric";
    case rebirth_reason::duplicate_alias: return "duplicate_alias";
    case rebirth_reason::device_without_birth: return "device_without_birth";
    case rebirth_reason::host_request: return "host_request";
  }
  return "invalid";
}

const char* to_string(offline_reason r) noexcept {
  switch (r) {
    case offline_reason::ndeath: return "ndeath";
    case offline_reason::ddeath: return "ddeath";
    case offline_reason::node_rebirth: return "node_rebirth";
    case offline_reason::host_released: return "host_released";
  }
  return "invalid";
}

namespace {

template <class T>
bool same(const windows::heap_box<T>& a, const windows::heap_box<T>& b) {
  return a ? (b && *a == *b) : !b;
}

} // namespace

bool operator==(const metric_definition& a, const metric_definition& b) {
  return a.name == b.name && a.alias == b.alias && a.type == b.type
         && same(a.properties, b.properties) && a.members == b.members
         && same(a.template_ref, b.template_ref)
         && a.is_template_definition == b.is_template_definition;
}

// ---- per-message fault tally ----

// Faults of one DATA message, one event per kind however many metrics are affected: a broken
// birth can make every metric of every message fail, which must not multiply the events.
struct edge_node_session::data_faults {
  struct tally {
    size_t count = 0;
    std::string first;
  };
  std::array<tally, fault_kind_count> by_kind;

  void note(fault_kind k, std::string what) {
    auto& t = by_kind[static_cast<size_t>(k)];
    if (t.count++ == 0)
      t.first = std::move(what);
  }
  size_t count(fault_kind k) const { return by_kind[static_cast<size_t>(k)].count; }
};

// ---- construction and queries ----

edge_node_session::edge_node_session(std::string group_id, std::string edge_node_id,
                                     session_config config)
  : group_id_(std::move(group_id)),
    edge_node_id_(std::move(edge_node_id)),
    config_(config) {
}

std::optional<uint32_t> edge_node_session::find_device(std::string_view id) const {
  auto it = device_index_.find(id);
  if (it == device_index_.end())
    return std::nullopt;
  return it->second;
}

uint32_t edge_node_session::find_or_add_device(std::string_view id) {
  if (auto found = find_device(id))
    return *found;
  devices_.emplace_back();
  devices_.back().state.id = std::string(id);
  auto scope_id = static_cast<uint32_t>(devices_.size());
  device_index_.emplace(std::string(id), scope_id);
  return scope_id;
}

const device_view* edge_node_session::device(std::string_view id) const {
  auto found = find_device(id);
  return found ? &scope_at(*found).state : nullptr;
}

session_view edge_node_session::view() const {
  session_view v;
  v.group_id = group_id_;
  v.edge_node_id = edge_node_id_;
  v.online = node_.state.online;
  v.bdseq = bdseq_;
  v.last_seq = last_seq_;
  v.birth_timestamp = node_.state.birth_timestamp;
  v.offline_timestamp = node_.state.offline_timestamp;
  v.held_messages = held_.size();
  v.metrics = node_.state.metrics;
  v.devices.reserve(devices_.size());
  for (const auto& [id, scope_id] : device_index_)
    v.devices.push_back(scope_at(scope_id).state);
  v.counters = counters_;
  return v;
}

void edge_node_session::take_events(std::vector<session_event>& out) {
  out.clear();
  out.swap(events_);
}

// ---- input ----

void edge_node_session::handle(message_type type, std::string_view device_id, payload&& p,
                               int64_t now_ms) {
  switch (type) {
    case message_type::ncmd:
    case message_type::dcmd:
    case message_type::state:
      return;
    default:
      break;
  }
  ++counters_.messages;
  if (type == message_type::nbirth)
    return on_nbirth(p, now_ms);
  if (type == message_type::ndeath)
    return on_ndeath(p, now_ms);

  bool device_message = sparkplug::is_device_message(type);
  std::string_view device = device_message ? device_id : std::string_view{};
  if (device_message && device.empty()) {
    // The topic parser never yields this; a caller bug must not create a nameless device.
    ++counters_.dropped;
    fault(fault_kind::device_without_birth, device,
          std::string(to_string(type)) + " without a device id");
    return;
  }
  if (!node_.state.online) {
    ++counters_.dropped;
    std::string detail = std::string(to_string(type)) + " without a live NBIRTH";
    fault(fault_kind::data_before_birth, device, detail);
    rebirth(rebirth_reason::data_before_birth, std::move(detail), now_ms);
    return;
  }
  if (!p.seq || *p.seq > 255) {
    fault(fault_kind::invalid_seq, device,
          p.seq ? std::string(to_string(type)) + " seq " + std::to_string(*p.seq)
                    + " outside 0..255; applied unchecked"
                : std::string(to_string(type)) + " without seq; applied unchecked");
    apply(type, device, std::move(p), now_ms);
    return;
  }
  on_sequenced(type, device, std::move(p), now_ms);
}

void edge_node_session::on_timer(int64_t now_ms) {
  for (auto& h : held_)
    if (h.arrived_ms > now_ms) // clock stepped back
      h.arrived_ms = now_ms;
  if (auto deadline = reorder_deadline(); deadline && now_ms >= *deadline)
    give_up_gap(fault_kind::seq_gap, now_ms);
  if (deferred_rebirth_ && last_rebirth_ms_) {
    if (*last_rebirth_ms_ > now_ms)
      last_rebirth_ms_ = now_ms;
    if (now_ms - *last_rebirth_ms_ >= config_.rebirth_throttle_ms) {
      rebirth_request r = std::move(*deferred_rebirth_);
      deferred_rebirth_.reset();
      last_rebirth_ms_ = now_ms;
      ++counters_.rebirths_requested;
      events_.emplace_back(std::move(r));
    }
  }
}

std::optional<int64_t> edge_node_session::next_deadline() const noexcept {
  std::optional<int64_t> next = reorder_deadline();
  if (deferred_rebirth_ && last_rebirth_ms_) {
    int64_t due = *last_rebirth_ms_ + config_.rebirth_throttle_ms;
    if (!next || due < *next)
      next = due;
  }
  return next;
}

void edge_node_session::request_rebirth(std::string detail, int64_t now_ms) {
  rebirth(rebirth_reason::host_request, std::move(detail), now_ms);
}

void edge_node_session::mark_offline(int64_t now_ms) {
  discard_held("mark_offline");
  deferred_rebirth_.reset();
  if (node_.state.online) {
    node_.state.online = false;
    node_.state.offline_timestamp = now_ms;
    events_.emplace_back(node_offline{offline_reason::host_released, now_ms});
  }
  all_devices_offline(offline_reason::host_released, now_ms);
}

// ---- node birth and death ----

void edge_node_session::on_nbirth(payload& p, int64_t now_ms) {
  // Held messages may belong to the old session or already to this one (a rebirth reuses
  // seq 0, GH#178): neither can be applied safely against the new alias table.
  discard_held("NBIRTH");
  deferred_rebirth_.reset();
  int64_t birth_ts = payload_time(p, now_ms);
  all_devices_offline(offline_reason::node_rebirth, birth_ts);
  aliases_.clear();
  node_.owned_aliases.clear();
  for (auto& d : devices_)
    d.owned_aliases.clear();

  auto bdseq = read_bdseq(p.metrics);
  bdseq_ = bdseq.value;
  if (p.seq && *p.seq <= 255)
    last_seq_ = static_cast<uint8_t>(*p.seq);
  else
    last_seq_.reset(); // the next message's seq is taken as it comes
  node_.state.online = true;
  node_.state.birth_timestamp = birth_ts;
  events_.emplace_back(node_online{bdseq_, birth_ts});

  if (!bdseq.value)
    fault(fault_kind::missing_bdseq, {}, std::string("NBIRTH accepted: ") + bdseq.problem);
  if (!has_metric(p.metrics, sparkplug::node_rebirth_metric))
    fault(fault_kind::missing_rebirth_metric, {},
          "NBIRTH accepted without 'Node Control/Rebirth'");
  if (!p.seq || *p.seq > 255)
    fault(fault_kind::invalid_seq, {},
          p.seq ? "NBIRTH seq " + std::to_string(*p.seq) + " outside 0..255"
                : std::string("NBIRTH without seq"));
  register_birth(0, {}, p, birth_ts, now_ms);
}

void edge_node_session::on_ndeath(const payload& p, int64_t now_ms) {
  auto bdseq = read_bdseq(p.metrics);
  // A session whose NBIRTH had no bdSeq has nothing to match against and takes any NDEATH.
  bool matches = !bdseq_ || bdseq.value == bdseq_;
  if (!node_.state.online || !matches) {
    ++counters_.dropped;
    std::string detail;
    if (!node_.state.online)
      detail = "NDEATH while the node is offline";
    else
      detail = "NDEATH "
               + (bdseq.value ? "bdSeq " + std::to_string(*bdseq.value)
                              : std::string("without usable bdSeq"))
               + " does not match the session's bdSeq " + std::to_string(*bdseq_);
    fault(fault_kind::stale_ndeath, {}, std::move(detail));
    return;
  }
  discard_held("NDEATH");
  deferred_rebirth_.reset();
  node_.state.online = false;
  node_.state.offline_timestamp = now_ms;
  events_.emplace_back(node_offline{offline_reason::ndeath, now_ms});
  all_devices_offline(offline_reason::ndeath, now_ms);
}

void edge_node_session::all_devices_offline(offline_reason reason, int64_t ts) {
  for (const auto& [id, scope_id] : device_index_) {
    auto& s = scope_at(scope_id);
    if (!s.state.online)
      continue;
    s.state.online = false;
    s.state.offline_timestamp = ts;
    events_.emplace_back(device_offline{id, reason, ts});
  }
}

void edge_node_session::release_aliases(scope& s) {
  for (auto alias : s.owned_aliases)
    aliases_.erase(alias);
  s.owned_aliases.clear();
}

// ---- sequencing ----

void edge_node_session::on_sequenced(message_type type, std::string_view device, payload&& p,
                                     int64_t now_ms) {
  auto seq = static_cast<uint8_t>(*p.seq);
  uint8_t expected = last_seq_ ? static_cast<uint8_t>(*last_seq_ + 1) : seq;
  auto ahead = static_cast<uint8_t>(seq - expected);
  if (ahead == 0) {
    last_seq_ = seq;
    apply(type, device, std::move(p), now_ms);
    drain_held(now_ms);
    return;
  }
  bool already_held = std::any_of(held_.begin(), held_.end(),
                                  [seq](const held_message& h) { return h.seq == seq; });
  if (ahead > max_seq_ahead || already_held) {
    ++counters_.dropped;
    fault(fault_kind::duplicate_seq, device,
          std::string(to_string(type)) + " seq " + std::to_string(seq) + " dropped: expected "
            + std::to_string(expected) + (already_held ? ", seq already held" : ", seq is behind"));
    return;
  }
  // A held message keeps its arrival time as the fallback timestamp for its values.
  if (!p.timestamp)
    p.timestamp = static_cast<uint64_t>(std::max<int64_t>(now_ms, 0));
  held_.push_back(held_message{seq, type, std::string(device), std::move(p), now_ms});
  if (held_.size() > config_.reorder_buffer_max)
    give_up_gap(config_.reorder_buffer_max == 0 ? fault_kind::seq_gap
                                                : fault_kind::reorder_overflow,
                now_ms);
}

void edge_node_session::drain_held(int64_t now_ms) {
  while (!held_.empty()) {
    auto expected = static_cast<uint8_t>(*last_seq_ + 1);
    auto it = std::find_if(held_.begin(), held_.end(),
                           [expected](const held_message& h) { return h.seq == expected; });
    if (it == held_.end())
      return;
    held_message next = std::move(*it);
    if (it != held_.end() - 1)
      *it = std::move(held_.back());
    held_.pop_back();
    ++counters_.reordered;
    last_seq_ = next.seq;
    apply(next.type, next.device, std::move(next.payload), now_ms);
  }
}

void edge_node_session::give_up_gap(fault_kind kind, int64_t now_ms) {
  auto expected = static_cast<uint8_t>(*last_seq_ + 1);
  auto distance = [](uint8_t seq, uint8_t from) { return static_cast<uint8_t>(seq - from); };
  auto first_held = std::min_element(held_.begin(), held_.end(),
                                     [&](const held_message& a, const held_message& b) {
                                       return distance(a.seq, expected) < distance(b.seq, expected);
                                     })->seq;
  auto last_missing = static_cast<uint8_t>(first_held - 1);
  std::string detail = "seq " + std::to_string(expected)
                       + (last_missing == expected ? "" : ".." + std::to_string(last_missing))
                       + " missing";
  detail += kind == fault_kind::reorder_overflow
              ? " and the reorder buffer is full"
              : (config_.reorder_buffer_max == 0 ? " (reordering off)"
                                                 : " past the reorder timeout");
  detail += "; " + std::to_string(held_.size()) + " held message(s) applied in seq order";
  fault(kind, {}, detail);

  while (!held_.empty()) {
    auto next_expected = static_cast<uint8_t>(*last_seq_ + 1);
    auto it = std::min_element(held_.begin(), held_.end(),
                               [&](const held_message& a, const held_message& b) {
                                 return distance(a.seq, next_expected)
                                        < distance(b.seq, next_expected);
                               });
    if (it->seq != next_expected)
      ++counters_.gaps;
    held_message next = std::move(*it);
    if (it != held_.end() - 1)
      *it = std::move(held_.back());
    held_.pop_back();
    last_seq_ = next.seq;
    apply(next.type, next.device, std::move(next.payload), now_ms);
  }
  rebirth(kind == fault_kind::reorder_overflow ? rebirth_reason::reorder_overflow
                                               : rebirth_reason::seq_gap,
          std::move(detail), now_ms);
}

void edge_node_session::discard_held(const char* cause) {
  if (held_.empty())
    return;
  counters_.dropped += held_.size();
  fault(fault_kind::reorder_discarded, {},
        std::to_string(held_.size()) + " held message(s) waiting for seq "
          + std::to_string(static_cast<uint8_t>(*last_seq_ + 1)) + " dropped by " + cause);
  held_.clear();
}

std::optional<int64_t> edge_node_session::reorder_deadline() const noexcept {
  if (held_.empty())
    return std::nullopt;
  int64_t first = held_.front().arrived_ms;
  for (const auto& h : held_)
    first = std::min(first, h.arrived_ms);
  return first + config_.reorder_timeout_ms;
}

// ---- applying messages in seq order ----

void edge_node_session::apply(message_type type, std::string_view device, payload&& p,
                              int64_t now_ms) {
  switch (type) {
    case message_type::dbirth:
      on_dbirth(device, p, now_ms);
      break;
    case message_type::ddeath:
      on_ddeath(device, p, now_ms);
      break;
    case message_type::ndata:
    case message_type::ddata:
      on_data(type, device, p, now_ms);
      break;
    default: // births, deaths and commands never reach here
      break;
  }
}

void edge_node_session::on_dbirth(std::string_view device, payload& p, int64_t now_ms) {
  uint32_t scope_id = find_or_add_device(device);
  scope& s = scope_at(scope_id);
  // A repeated DBIRTH in one session replaces the device's aliases.
  release_aliases(s);
  int64_t birth_ts = payload_time(p, now_ms);
  s.state.online = true;
  s.state.birth_timestamp = birth_ts;
  events_.emplace_back(device_online{std::string(device), birth_ts});
  register_birth(scope_id, device, p, birth_ts, now_ms);
}

void edge_node_session::on_ddeath(std::string_view device, const payload& p, int64_t now_ms) {
  auto scope_id = find_device(device);
  if (!scope_id || !scope_at(*scope_id).state.online) {
    ++counters_.dropped;
    fault(fault_kind::device_without_birth, device,
          scope_id ? "DDEATH for a device already offline" : "DDEATH for a device never born");
    return;
  }
  auto& s = scope_at(*scope_id);
  int64_t ts = payload_time(p, now_ms);
  s.state.online = false;
  s.state.offline_timestamp = ts;
  events_.emplace_back(device_offline{std::string(device), offline_reason::ddeath, ts});
}

std::optional<uint32_t> edge_node_session::scope::find(std::string_view name) const {
  auto it = std::lower_bound(by_name.begin(), by_name.end(), name,
                             [this](uint32_t i, std::string_view n) {
                               return std::string_view(state.metrics[i].name) < n;
                             });
  if (it == by_name.end() || state.metrics[*it].name != name)
    return std::nullopt;
  return *it;
}

void edge_node_session::register_birth(uint32_t scope_id, std::string_view device, payload& p,
                                       int64_t birth_ts, int64_t now_ms) {
  scope& s = scope_at(scope_id);
  s.state.metrics.clear();
  s.by_name.clear();
  s.state.metrics.reserve(p.metrics.size());
  // Names seen so far in this birth (a birth may list a metric more than once); the sorted
  // s.by_name is built from it at the end.
  std::unordered_map<std::string, uint32_t> seen;
  seen.reserve(p.metrics.size());
  // Filled in after the loop; emitted first so consumers know the definitions before values.
  size_t registration = events_.size();
  events_.emplace_back(birth_registered{std::string(device), birth_ts, {}});
  size_t duplicate_aliases = 0;
  std::string first_duplicate;

  for (size_t i = 0; i < p.metrics.size(); ++i) {
    metric& m = p.metrics[i];
    if (!m.name) {
      fault(fault_kind::invalid_birth_metric, device,
            "birth metric #" + std::to_string(i) + " has no name; skipped");
      continue;
    }
    auto [by_name, added] = seen.try_emplace(*m.name,
                                             static_cast<uint32_t>(s.state.metrics.size()));
    if (added) {
      if (m.type == datatype::unknown)
        fault(fault_kind::invalid_birth_metric, device,
              "birth metric " + quoted(*m.name) + " has no datatype");
      s.state.metrics.push_back(define(m));
      if (m.alias) {
        auto [owner, fresh] = aliases_.try_emplace(*m.alias, alias_target{scope_id, by_name->second});
        if (fresh) {
          s.owned_aliases.push_back(*m.alias);
        } else {
          const auto& holder = scope_at(owner->second.scope);
          std::string what = "alias " + std::to_string(*m.alias) + " of " + quoted(*m.name)
                             + " already belongs to " + quoted(holder.state.metrics[owner->second.metric].name)
                             + " of the " + scope_name(holder.state.id);
          fault(fault_kind::duplicate_alias, device, what);
          if (duplicate_aliases++ == 0)
            first_duplicate = std::move(what);
        }
      }
    } else if (m.alias && m.alias != s.state.metrics[by_name->second].alias) {
      // Births may list a metric more than once (several values); its alias cannot change.
      fault(fault_kind::invalid_birth_metric, device,
            quoted(*m.name) + " listed again with alias " + std::to_string(*m.alias));
    }
    const metric_definition& def = s.state.metrics[by_name->second];
    if (m.is_null)
      m.val = std::monostate{};
    if (m.type == datatype::unknown && def.type != datatype::unknown) {
      if (auto typed = sparkplug::resolve_datatype(m, def.type); !typed) {
        fault(fault_kind::value_mismatch, device,
              quoted(def.name) + ": " + typed.error().detail + "; skipped");
        continue;
      }
    }
    std::string name = std::move(*m.name);
    emit_metric(device, std::move(name), by_name->second, m, birth_ts, true);
  }

  s.by_name.resize(s.state.metrics.size());
  for (uint32_t i = 0; i < s.by_name.size(); ++i)
    s.by_name[i] = i;
  std::sort(s.by_name.begin(), s.by_name.end(), [&s](uint32_t a, uint32_t b) {
    return s.state.metrics[a].name < s.state.metrics[b].name;
  });
  s.by_name.shrink_to_fit();
  s.state.metrics.shrink_to_fit();
  std::get<birth_registered>(events_[registration]).metrics = s.state.metrics;
  if (duplicate_aliases > 0)
    rebirth(rebirth_reason::duplicate_alias,
            std::to_string(duplicate_aliases) + " duplicate alias(es) in the "
              + (device.empty() ? std::string("NBIRTH") : "DBIRTH of " + quoted(device)) + ", first: "
              + first_duplicate,
            now_ms);
}

void edge_node_session::on_data(message_type type, std::string_view device, payload& p,
                                int64_t now_ms) {
  uint32_t scope_id = 0;
  if (type == message_type::ddata) {
    auto found = find_device(device);
    if (!found || !scope_at(*found).state.online) {
      ++counters_.dropped;
      std::string detail = found ? "DDATA for a device offline since its last DBIRTH"
                                 : "DDATA for a device never born";
      fault(fault_kind::device_without_birth, device, detail);
      rebirth(rebirth_reason::device_without_birth, quoted(device) + ": " + detail, now_ms);
      return;
    }
    scope_id = *found;
  }
  const scope& s = scope_at(scope_id);
  int64_t payload_ts = payload_time(p, now_ms);
  data_faults faults;

  for (size_t i = 0; i < p.metrics.size(); ++i) {
    metric& m = p.metrics[i];
    const metric_definition* def = nullptr;
    if (m.alias) {
      auto owner = aliases_.find(*m.alias);
      if (owner != aliases_.end() && owner->second.scope == scope_id)
        def = &s.state.metrics[owner->second.metric];
      else
        faults.note(fault_kind::unknown_alias, "alias " + std::to_string(*m.alias));
    }
    if (!def && m.name) {
      // An unknown alias with a known name still applies by the name.
      if (auto named = s.find(*m.name))
        def = &s.state.metrics[*named];
      else if (!m.alias)
        faults.note(fault_kind::unknown_metric, quoted(*m.name));
    }
    if (!m.alias && !m.name)
      faults.note(fault_kind::unknown_metric, "metric #" + std::to_string(i) + " without name or alias");
    if (!def)
      continue;

    if (m.is_null)
      m.val = std::monostate{};
    if (m.type == datatype::unknown) {
      if (def->type != datatype::unknown) {
        if (auto typed = sparkplug::resolve_datatype(m, def->type); !typed) {
          faults.note(fault_kind::value_mismatch, quoted(def->name) + ": " + typed.error().detail);
          continue;
        }
      }
    } else if (def->type != datatype::unknown && m.type != def->type) {
      faults.note(fault_kind::datatype_mismatch,
                  quoted(def->name) + " is " + sparkplug::to_string(m.type) + ", birth says "
                    + sparkplug::to_string(def->type));
    }
    if (auto* tv = std::get_if<sparkplug::template_value>(&m.val))
      type_template_members(*def, scope_id, *tv, faults);

    std::string name = (m.name && *m.name == def->name) ? std::move(*m.name) : def->name;
    auto index = static_cast<uint32_t>(def - s.state.metrics.data());
    emit_metric(device, std::move(name), index, m, payload_ts, false);
  }

  for (size_t k = 0; k < fault_kind_count; ++k) {
    auto& t = faults.by_kind[k];
    if (t.count == 0)
      continue;
    std::string detail = std::string(to_string(type)) + ": "
                         + (t.count == 1 ? t.first
                                         : std::to_string(t.count) + " metrics, first " + t.first);
    fault(static_cast<fault_kind>(k), device, std::move(detail));
  }
  if (faults.count(fault_kind::unknown_alias) > 0 || faults.count(fault_kind::unknown_metric) > 0) {
    bool alias = faults.count(fault_kind::unknown_alias) > 0;
    const auto& t = faults.by_kind[static_cast<size_t>(alias ? fault_kind::unknown_alias
                                                             : fault_kind::unknown_metric)];
    rebirth(alias ? rebirth_reason::unknown_alias : rebirth_reason::unknown_metric,
            std::string(to_string(type)) + " of the " + scope_name(device) + ": " + t.first,
            now_ms);
  }
}

void edge_node_session::type_template_members(const metric_definition& def, uint32_t scope_id,
                                              sparkplug::template_value& tv,
                                              data_faults& faults) {
  // Members not listed by the birth instance are typed by the definition it refers to.
  const metric_definition* shape = nullptr;
  bool shape_looked_up = false;
  for (auto& member : tv.metrics) {
    if (!member.name) {
      faults.note(fault_kind::unknown_template_member, quoted(def.name) + " member without name");
      continue;
    }
    const metric_definition* member_def = find_member(def.members, *member.name);
    if (!member_def) {
      if (!shape_looked_up) {
        shape_looked_up = true;
        const std::string* ref = def.template_ref ? def.template_ref.get()
                                 : tv.template_ref  ? &*tv.template_ref
                                                    : nullptr;
        if (ref)
          shape = find_template_definition(scope_id, *ref);
      }
      if (shape)
        member_def = find_member(shape->members, *member.name);
    }
    if (!member_def) {
      faults.note(fault_kind::unknown_template_member, quoted(def.name + "/" + *member.name));
      continue;
    }
    if (member.is_null)
      member.val = std::monostate{};
    if (member.type == datatype::unknown && member_def->type != datatype::unknown) {
      if (auto typed = sparkplug::resolve_datatype(member, member_def->type); !typed) {
        faults.note(fault_kind::value_mismatch,
                    quoted(def.name + "/" + *member.name) + ": " + typed.error().detail);
        continue;
      }
    }
    if (auto* nested = std::get_if<sparkplug::template_value>(&member.val))
      type_template_members(*member_def, scope_id, *nested, faults);
  }
}

const metric_definition* edge_node_session::find_template_definition(
  uint32_t scope_id, const std::string& name) const {
  // Definitions belong in the NBIRTH; the TCK's edge also puts them in a DBIRTH.
  for (uint32_t id : {scope_id, uint32_t{0}}) {
    const scope& s = scope_at(id);
    if (auto i = s.find(name))
      return &s.state.metrics[*i];
    if (id == 0)
      break;
  }
  return nullptr;
}

// ---- output ----

void edge_node_session::emit_metric(std::string_view device, std::string name, uint32_t index,
                                    metric& m, int64_t payload_ts, bool from_birth) {
  metric_update u;
  u.device = std::string(device);
  u.name = std::move(name);
  u.index = index;
  u.type = m.type;
  u.value = std::move(m.val);
  u.timestamp = m.timestamp ? to_ms(*m.timestamp) : payload_ts;
  u.is_historical = m.is_historical;
  u.is_transient = m.is_transient;
  u.from_birth = from_birth;
  u.quality = quality_of(m.properties);
  if (m.properties)
    u.properties.ensure() = std::move(*m.properties);
  if (m.meta)
    u.meta.ensure() = std::move(*m.meta);
  events_.emplace_back(std::move(u));
  ++counters_.metrics;
}

void edge_node_session::fault(fault_kind kind, std::string_view device, std::string detail) {
  ++counters_.faults[static_cast<size_t>(kind)];
  events_.emplace_back(protocol_fault{kind, std::string(device), std::move(detail)});
}

void edge_node_session::rebirth(rebirth_reason reason, std::string detail, int64_t now_ms) {
  if (last_rebirth_ms_ && *last_rebirth_ms_ > now_ms) // clock stepped back
    last_rebirth_ms_ = now_ms;
  if (last_rebirth_ms_ && now_ms - *last_rebirth_ms_ < config_.rebirth_throttle_ms) {
    ++counters_.rebirths_suppressed;
    if (!deferred_rebirth_)
      deferred_rebirth_ = rebirth_request{reason, std::move(detail)};
    return;
  }
  deferred_rebirth_.reset();
  last_rebirth_ms_ = now_ms;
  ++counters_.rebirths_requested;
  events_.emplace_back(rebirth_request{reason, std::move(detail)});
}

} // namespace floe::host
