#include "sim/edge_node.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "sparkplug/payload_codec.hpp"
#include "sparkplug/topic.hpp"

namespace floe::sim {

namespace {

using sparkplug::datatype;
using sparkplug::message_type;

constexpr double never_sent = std::numeric_limits<double>::quiet_NaN();
// A sampler steps by the wall-clock time since its last sample, at most this much (s).
constexpr double max_step_s = 86'400;

topic_ref make_topic(message_type t, const std::string& group, const std::string& edge,
                     const std::string& device = {}) {
  sparkplug::topic_view v;
  v.type = t;
  v.group_id = group;
  v.edge_node_id = edge;
  v.device_id = device;
  return std::make_shared<const std::string>(sparkplug::format_topic(v));
}

sparkplug::property_value string_property(const std::string& s) {
  sparkplug::property_value v;
  v.type = datatype::string;
  v.value = s;
  return v;
}

sparkplug::property_value double_property(double d) {
  sparkplug::property_value v;
  v.type = datatype::float64;
  v.value = d;
  return v;
}

std::optional<sparkplug::property_set> birth_properties(const metric_spec& spec) {
  if (!spec.unit && !spec.low && !spec.high)
    return std::nullopt;
  sparkplug::property_set props;
  if (spec.unit) {
    props.keys.emplace_back("engUnit");
    props.values.push_back(string_property(*spec.unit));
  }
  if (spec.low) {
    props.keys.emplace_back("engLow");
    props.values.push_back(double_property(*spec.low));
  }
  if (spec.high) {
    props.keys.emplace_back("engHigh");
    props.values.push_back(double_property(*spec.high));
  }
  return props;
}

sparkplug::metric plain_metric(std::string_view name, datatype t, sparkplug::value v,
                               uint64_t now_ms) {
  sparkplug::metric m;
  m.name = std::string(name);
  m.type = t;
  m.timestamp = now_ms;
  m.val = std::move(v);
  return m;
}

// A DATA slot: every field set, so a reused metric keeps nothing from its previous use.
sparkplug::metric& data_slot(sparkplug::payload& p, size_t i) {
  if (p.metrics.size() <= i)
    p.metrics.resize(i + 1);
  sparkplug::metric& m = p.metrics[i];
  m.name.reset();
  m.meta.reset();
  m.properties.reset();
  m.datatype_on_wire = false;
  m.is_historical = false;
  m.is_transient = false;
  m.is_null = false;
  return m;
}

} // namespace

edge_node::edge_node(const edge_node_config& cfg, const profile& prof,
                     const edge_node_layout& layout, uint32_t index,
                     std::unique_ptr<edge_transport> transport, edge_node_services services,
                     uint64_t now_ms)
  : cfg_(cfg),
    profile_(prof),
    layout_(layout),
    index_(index),
    transport_(std::move(transport)),
    services_(services),
    session_(!cfg.primary_host.empty()),
    rng_(mix_seed(cfg.seed, index, 0x5eed)),
    node_sampler_(prof.node_metrics, mix_seed(cfg.seed, index, 0)),
    node_last_sent_(prof.node_metrics.size(), never_sent),
    node_last_sample_ms_(now_ms) {
  nbirth_topic_ = make_topic(message_type::nbirth, cfg.group_id, layout.id);
  ndata_topic_ = make_topic(message_type::ndata, cfg.group_id, layout.id);
  ndeath_topic_ = make_topic(message_type::ndeath, cfg.group_id, layout.id);
  if (!cfg.primary_host.empty()) {
    sparkplug::topic_view v;
    v.type = message_type::state;
    v.host_id = cfg.primary_host;
    state_topic_ = sparkplug::format_topic(v);
  }
  devices_.reserve(layout.devices.size());
  for (size_t d = 0; d < layout.devices.size(); ++d) {
    const device_layout& dl = layout.devices[d];
    const device_kind& kind = prof.device_kinds[dl.kind];
    devices_.push_back(device_state{
      metric_sampler(kind.metrics, mix_seed(cfg.seed, index, d + 1)),
      std::vector<double>(kind.metrics.size(), never_sent),
      now_ms,
      make_topic(message_type::dbirth, cfg.group_id, layout.id, dl.id),
      make_topic(message_type::ddata, cfg.group_id, layout.id, dl.id),
      make_topic(message_type::ddeath, cfg.group_id, layout.id, dl.id),
    });
  }
}

edge_node::~edge_node() = default;

void edge_node::advance(metric_sampler& s, uint64_t& last_ms, uint64_t now_ms) {
  double dt = now_ms > last_ms ? static_cast<double>(now_ms - last_ms) / 1000.0 : 0.0;
  s.advance(std::min(dt, max_step_s));
  last_ms = std::max(last_ms, now_ms);
}

sparkplug::payload edge_node::death_payload(uint64_t now_ms) const {
  sparkplug::payload p;
  p.timestamp = now_ms;
  p.metrics.push_back(plain_metric(sparkplug::bdseq_metric, datatype::int64,
                                   int64_t{session_.bdseq()}, now_ms));
  return p;
}

void edge_node::connect(uint64_t now_ms) {
  if (shutting_down_)
    return;
  reconnect_delay_ms_.reset();
  session_.begin_connect();
  connect_request req;
  req.generation = ++generation_;
  req.will_topic = *ndeath_topic_;
  if (auto enc = sparkplug::encode_payload(death_payload(now_ms), req.will_payload); !enc) {
    services_.stats->encode_errors.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  sparkplug::topic_view filter;
  filter.group_id = cfg_.group_id;
  filter.edge_node_id = layout_.id;
  filter.type = message_type::ncmd;
  req.subscriptions.push_back(sparkplug::format_topic(filter));
  if (!devices_.empty()) {
    filter.type = message_type::dcmd;
    filter.device_id = "+";
    req.subscriptions.push_back(sparkplug::format_topic(filter));
  }
  if (!state_topic_.empty())
    req.subscriptions.push_back(state_topic_);
  transport_->connect(req);
}

void edge_node::on_event(const sim_event& e, uint64_t now_ms) {
  if (e.what == sim_event::kind::delivery_failed) {
    services_.stats->delivery_failures.fetch_add(1, std::memory_order_relaxed);
    if (services_.record != nullptr)
      services_.record->undelivered(e.tag);
    return;
  }
  if (shutting_down_ || e.generation != generation_)
    return;
  switch (e.what) {
    case sim_event::kind::connected:
      on_connected(now_ms);
      break;
    case sim_event::kind::connect_failed:
      if (session_.phase() == session_phase::connecting)
        on_connection_down(true, now_ms);
      break;
    case sim_event::kind::connection_lost:
      if (session_.phase() != session_phase::disconnected)
        on_connection_down(false, now_ms);
      break;
    case sim_event::kind::message:
      handle_message(e.topic, e.payload, now_ms);
      break;
    case sim_event::kind::delivery_failed:
      break;
  }
}

void edge_node::on_connected(uint64_t now_ms) {
  if (session_.phase() != session_phase::connecting)
    return;
  auto& stats = *services_.stats;
  stats.connects.fetch_add(1, std::memory_order_relaxed);
  if (ever_connected_)
    stats.reconnects.fetch_add(1, std::memory_order_relaxed);
  ever_connected_ = true;
  failures_ = 0;
  bool birth_now = session_.connected();
  if (cfg_.faults.data_before_birth && index_ == 0 && !premature_data_sent_) {
    premature_data_sent_ = true;
    publish_premature_data(now_ms);
  }
  if (birth_now)
    publish_births(now_ms);
}

void edge_node::on_connection_down(bool was_failure, uint64_t) {
  auto& stats = *services_.stats;
  if (was_failure) {
    stats.connect_failures.fetch_add(1, std::memory_order_relaxed);
    ++failures_;
  } else {
    stats.connection_losses.fetch_add(1, std::memory_order_relaxed);
    failures_ = 0;
  }
  mark_offline();
  session_.disconnected();
  int delay = cfg_.reconnect_min_ms;
  for (int i = 1; i < failures_ && delay < cfg_.reconnect_max_ms; ++i)
    delay *= 2;
  delay = std::min(delay, cfg_.reconnect_max_ms);
  // +-25 % so that edge nodes cut off together do not reconnect in lockstep.
  schedule_reconnect(static_cast<int>(delay * rng_.uniform(0.75, 1.25)));
}

void edge_node::schedule_reconnect(int delay_ms) {
  reconnect_delay_ms_ = std::max(delay_ms, 1);
}

std::optional<int> edge_node::take_reconnect_delay() noexcept {
  auto d = reconnect_delay_ms_;
  reconnect_delay_ms_.reset();
  return d;
}

void edge_node::mark_offline() {
  auto& stats = *services_.stats;
  for (auto& d : devices_)
    d.born = false;
  stats.devices_online.fetch_sub(static_cast<int64_t>(born_devices_), std::memory_order_relaxed);
  born_devices_ = 0;
  if (node_online_)
    stats.nodes_online.fetch_sub(1, std::memory_order_relaxed);
  node_online_ = false;
}

void edge_node::handle_message(const std::string& topic, const std::string& payload,
                               uint64_t now_ms) {
  auto& stats = *services_.stats;
  if (!state_topic_.empty() && topic == state_topic_) {
    auto state = sparkplug::decode_state(payload);
    if (!state) {
      stats.bad_commands.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    switch (session_.host_state(state->online, state->timestamp)) {
      case host_reaction::birth:
        publish_births(now_ms);
        break;
      case host_reaction::go_offline:
        go_offline_for_host(now_ms);
        break;
      case host_reaction::none:
        break;
    }
    return;
  }
  auto parsed = sparkplug::parse_topic(topic);
  if (!parsed || parsed->edge_node_id != layout_.id || parsed->group_id != cfg_.group_id)
    return;
  if (parsed->type == message_type::dcmd) {
    stats.commands.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (parsed->type != message_type::ncmd)
    return;
  auto cmd = sparkplug::decode_payload(payload);
  if (!cmd) {
    stats.bad_commands.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  bool rebirth = false;
  for (const auto& m : cmd->metrics) {
    // Leniency: the datatype may be missing (then the raw wire value is a bool too).
    const bool* b = std::get_if<bool>(&m.val);
    if (m.name && *m.name == sparkplug::node_rebirth_metric && b != nullptr && *b)
      rebirth = true;
    else
      stats.commands.fetch_add(1, std::memory_order_relaxed);
  }
  if (!rebirth)
    return;
  stats.rebirth_requests.fetch_add(1, std::memory_order_relaxed);
  if (session_.accepts_rebirth())
    publish_births(now_ms);
}

void edge_node::go_offline_for_host(uint64_t now_ms) {
  services_.stats->host_offline_disconnects.fetch_add(1, std::memory_order_relaxed);
  static const std::string no_device;
  send(sent_type::ndeath, ndeath_topic_, death_payload(now_ms), 1, no_device, {});
  transport_->disconnect(std::chrono::milliseconds(cfg_.reconnect_min_ms));
  mark_offline();
  session_.disconnected();
  failures_ = 0;
  // Give the DISCONNECT time to complete before the next CONNECT on the same client.
  schedule_reconnect(cfg_.reconnect_min_ms * 2);
}

void edge_node::fill_birth_metric(sparkplug::metric& m, const metric_spec& spec, uint64_t alias,
                                  const metric_sampler& s, size_t i, uint64_t now_ms) {
  m = sparkplug::metric{};
  m.name = spec.name;
  m.alias = alias;
  m.type = spec.type;
  m.timestamp = now_ms;
  m.properties = birth_properties(spec);
  s.value(i, now_ms, m.val);
}

void edge_node::publish_births(uint64_t now_ms) {
  mark_offline();
  static const std::string no_device;
  auto& p = birth_payload_;
  p = sparkplug::payload{};
  p.timestamp = now_ms;
  p.seq = session_.begin_birth();
  advance(node_sampler_, node_last_sample_ms_, now_ms);
  p.metrics.reserve(2 + profile_.node_metrics.size());
  p.metrics.push_back(plain_metric(sparkplug::bdseq_metric, datatype::int64,
                                   int64_t{session_.bdseq()}, now_ms));
  p.metrics.push_back(plain_metric(sparkplug::node_rebirth_metric, datatype::boolean, false,
                                   now_ms));
  for (size_t i = 0; i < profile_.node_metrics.size(); ++i) {
    p.metrics.emplace_back();
    fill_birth_metric(p.metrics.back(), profile_.node_metrics[i], layout_.node_first_alias + i,
                      node_sampler_, i, now_ms);
    node_last_sent_[i] = node_sampler_.published(i, now_ms);
  }
  if (!send(sent_type::nbirth, nbirth_topic_, p, 0, no_device,
            {&profile_.node_metrics, layout_.node_first_alias}))
    return; // the connection is going down; its loss event follows
  node_online_ = true;
  services_.stats->nodes_online.fetch_add(1, std::memory_order_relaxed);
  // A refused DBIRTH (full client queue) is retried in the device's next DATA slot.
  for (size_t d = 0; d < devices_.size(); ++d)
    if (!devices_[d].held_offline)
      publish_dbirth(d, now_ms);
}

bool edge_node::publish_dbirth(size_t device, uint64_t now_ms) {
  device_state& dev = devices_[device];
  const device_layout& dl = layout_.devices[device];
  const auto& specs = profile_.device_kinds[dl.kind].metrics;
  advance(dev.sampler, dev.last_sample_ms, now_ms);
  auto& p = birth_payload_;
  p = sparkplug::payload{};
  p.timestamp = now_ms;
  p.metrics.resize(specs.size());
  for (size_t i = 0; i < specs.size(); ++i)
    fill_birth_metric(p.metrics[i], specs[i], dl.first_alias + i, dev.sampler, i, now_ms);
  p.seq = session_.next_seq();
  if (!send(sent_type::dbirth, dev.birth_topic, p, 0, dl.id, {&specs, dl.first_alias})) {
    session_.return_seq();
    return false;
  }
  for (size_t i = 0; i < specs.size(); ++i)
    dev.last_sent[i] = dev.sampler.published(i, now_ms);
  if (!dev.born) {
    dev.born = true;
    ++born_devices_;
    services_.stats->devices_online.fetch_add(1, std::memory_order_relaxed);
  }
  return true;
}

bool edge_node::build_data(metric_sampler& s, const std::vector<double>& last_sent,
                           uint64_t first_alias, uint64_t now_ms, bool null_fault,
                           bool historical_fault) {
  included_.clear();
  published_.clear();
  for (size_t i = 0; i < s.size(); ++i) {
    double v = s.published(i, now_ms);
    // NaN (never sent, or sent as null) compares unequal to everything: always included.
    if (!cfg_.report_by_exception || !(v == last_sent[i])) {
      included_.push_back(i);
      published_.push_back(v);
    }
  }
  if (included_.empty())
    return false;
  auto& p = data_payload_;
  p.timestamp = now_ms;
  size_t n = 0;
  for (size_t k = 0; k < included_.size(); ++k) {
    size_t i = included_[k];
    sparkplug::metric& m = data_slot(p, n++);
    m.alias = first_alias + i;
    m.type = s.spec(i).type;
    m.timestamp = now_ms;
    to_metric_value(s.spec(i), published_[k], m.val);
  }
  if (null_fault) {
    size_t k = static_cast<size_t>(ddata_messages_ / std::max<size_t>(cfg_.faults.null_every, 1))
               % included_.size();
    p.metrics[k].is_null = true;
    p.metrics[k].val = std::monostate{};
    published_[k] = never_sent; // the next DATA sends a value again
  }
  if (historical_fault) {
    // Store-and-forward: the previous value of each included metric, timestamped in the past.
    uint64_t age = std::min(cfg_.faults.historical_age_ms, now_ms);
    for (size_t k = 0; k < included_.size(); ++k) {
      size_t i = included_[k];
      double before = std::isnan(last_sent[i]) ? s.published(i, now_ms) : last_sent[i];
      sparkplug::metric& m = data_slot(p, n++);
      m.alias = first_alias + i;
      m.type = s.spec(i).type;
      m.timestamp = now_ms - age;
      m.is_historical = true;
      to_metric_value(s.spec(i), before, m.val);
    }
  }
  p.metrics.resize(n);
  return true;
}

void edge_node::after_data_message() {
  ++data_messages_;
  size_t every = cfg_.faults.skip_seq_every;
  if (every > 0 && data_messages_ % every == 0) {
    session_.skip_seq();
    services_.stats->seq_skips.fetch_add(1, std::memory_order_relaxed);
  }
}

void edge_node::publish_device_data(size_t device, uint64_t now_ms) {
  if (session_.phase() != session_phase::online || device >= devices_.size())
    return;
  device_state& dev = devices_[device];
  if (!dev.born) {
    // Its DBIRTH could not be sent with the others (full client queue): retry in its slot.
    if (!dev.held_offline && node_online_)
      publish_dbirth(device, now_ms);
    return;
  }
  advance(dev.sampler, dev.last_sample_ms, now_ms);
  auto& stats = *services_.stats;
  if (transport_->in_flight() >= cfg_.max_in_flight) {
    stats.dropped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const device_layout& dl = layout_.devices[device];
  uint64_t next = ddata_messages_ + 1;
  bool null_fault = cfg_.faults.null_every > 0 && next % cfg_.faults.null_every == 0;
  bool historical_fault =
    cfg_.faults.historical_every > 0 && next % cfg_.faults.historical_every == 0;
  if (!build_data(dev.sampler, dev.last_sent, dl.first_alias, now_ms, null_fault,
                  historical_fault)) {
    stats.unchanged_skips.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  data_payload_.seq = session_.next_seq();
  if (!send(sent_type::ddata, dev.data_topic, data_payload_, 0, dl.id,
            {&profile_.device_kinds[dl.kind].metrics, dl.first_alias})) {
    session_.return_seq();
    return;
  }
  ddata_messages_ = next;
  for (size_t k = 0; k < included_.size(); ++k)
    dev.last_sent[included_[k]] = published_[k];
  if (null_fault)
    stats.null_metrics.fetch_add(1, std::memory_order_relaxed);
  if (historical_fault)
    stats.historical_points.fetch_add(included_.size(), std::memory_order_relaxed);
  after_data_message();
}

void edge_node::publish_node_data(uint64_t now_ms) {
  if (session_.phase() != session_phase::online || node_sampler_.size() == 0)
    return;
  advance(node_sampler_, node_last_sample_ms_, now_ms);
  auto& stats = *services_.stats;
  if (transport_->in_flight() >= cfg_.max_in_flight) {
    stats.dropped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (!build_data(node_sampler_, node_last_sent_, layout_.node_first_alias, now_ms, false,
                  false)) {
    stats.unchanged_skips.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  static const std::string no_device;
  data_payload_.seq = session_.next_seq();
  if (!send(sent_type::ndata, ndata_topic_, data_payload_, 0, no_device,
            {&profile_.node_metrics, layout_.node_first_alias})) {
    session_.return_seq();
    return;
  }
  for (size_t k = 0; k < included_.size(); ++k)
    node_last_sent_[included_[k]] = published_[k];
  after_data_message();
}

void edge_node::publish_premature_data(uint64_t now_ms) {
  // Every metric, as if a birth had defined the aliases: the host has no birth for them yet.
  static const std::string no_device;
  bool device_level = !devices_.empty();
  metric_sampler& s = device_level ? devices_[0].sampler : node_sampler_;
  if (s.size() == 0)
    return;
  std::vector<double> none(s.size(), never_sent);
  uint64_t first_alias = device_level ? layout_.devices[0].first_alias : layout_.node_first_alias;
  build_data(s, none, first_alias, now_ms, false, false);
  data_payload_.seq = session_.next_seq();
  bool sent =
    device_level
      ? send(sent_type::ddata, devices_[0].data_topic, data_payload_, 0, layout_.devices[0].id,
             {&profile_.device_kinds[layout_.devices[0].kind].metrics, first_alias})
      : send(sent_type::ndata, ndata_topic_, data_payload_, 0, no_device,
             {&profile_.node_metrics, first_alias});
  if (sent)
    services_.stats->data_before_birth.fetch_add(1, std::memory_order_relaxed);
  else
    session_.return_seq();
}

bool edge_node::take_device_offline(size_t device, uint64_t now_ms) {
  if (session_.phase() != session_phase::online || device >= devices_.size())
    return false;
  device_state& dev = devices_[device];
  if (!dev.born)
    return false;
  sparkplug::payload p;
  p.timestamp = now_ms;
  p.seq = session_.next_seq();
  if (!send(sent_type::ddeath, dev.death_topic, p, 0, layout_.devices[device].id, {})) {
    session_.return_seq();
    return false;
  }
  dev.born = false;
  dev.held_offline = true;
  --born_devices_;
  services_.stats->devices_online.fetch_sub(1, std::memory_order_relaxed);
  services_.stats->devices_taken_offline.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void edge_node::bring_device_online(size_t device, uint64_t now_ms) {
  if (device >= devices_.size() || !devices_[device].held_offline)
    return;
  devices_[device].held_offline = false;
  // Offline edge node: the device comes back with the next births.
  if (session_.phase() == session_phase::online)
    publish_dbirth(device, now_ms);
}

bool edge_node::drop_connection(uint64_t now_ms) {
  if (!session_.connected_now() || !transport_->drop_connection())
    return false;
  services_.stats->wills_triggered.fetch_add(1, std::memory_order_relaxed);
  if (services_.record != nullptr) {
    // The Will as registered with this session's CONNECT; the broker sends it now.
    record_context ctx;
    ctx.id = ++*services_.next_tag;
    ctx.topic = *ndeath_topic_;
    ctx.type = sent_type::ndeath;
    ctx.group = cfg_.group_id;
    ctx.edge_node = layout_.id;
    ctx.bdseq = session_.bdseq();
    ctx.qos = 1;
    ctx.will = true;
    services_.record->message(ctx, death_payload(now_ms), {});
  }
  return true;
}

void edge_node::begin_shutdown(uint64_t now_ms) {
  if (shutting_down_)
    return;
  static const std::string no_device;
  if (session_.connected_now()) {
    send(sent_type::ndeath, ndeath_topic_, death_payload(now_ms), 1, no_device, {});
    transport_->disconnect(cfg_.shutdown_grace);
  } else if (session_.phase() == session_phase::connecting) {
    transport_->disconnect(cfg_.shutdown_grace);
  }
  shutting_down_ = true;
  mark_offline();
  session_.disconnected();
  reconnect_delay_ms_.reset();
}

bool edge_node::wait_shutdown(std::chrono::steady_clock::time_point deadline) {
  return transport_->wait_disconnected(deadline);
}

bool edge_node::send(sent_type type, const topic_ref& topic, const sparkplug::payload& p, int qos,
                     const std::string& device, const alias_names& names) {
  auto& stats = *services_.stats;
  if (auto enc = sparkplug::encode_payload(p, encoded_); !enc) {
    if (stats.encode_errors.fetch_add(1, std::memory_order_relaxed) == 0)
      std::fprintf(stderr, "floe-sim: %s on %s could not be encoded: %s\n", to_string(type),
                   topic->c_str(), sparkplug::to_string(enc.error()).c_str());
    return false;
  }
  uint64_t tag = ++*services_.next_tag;
  switch (transport_->publish(topic, encoded_, qos, tag)) {
    case publish_status::accepted:
      break;
    case publish_status::queue_full:
      stats.dropped.fetch_add(1, std::memory_order_relaxed);
      return false;
    default:
      stats.publish_errors.fetch_add(1, std::memory_order_relaxed);
      return false;
  }
  stats.published[static_cast<size_t>(type)].fetch_add(1, std::memory_order_relaxed);
  stats.metrics.fetch_add(p.metrics.size(), std::memory_order_relaxed);
  stats.payload_bytes.fetch_add(encoded_.size(), std::memory_order_relaxed);
  if (services_.record != nullptr) {
    record_context ctx;
    ctx.id = tag;
    ctx.topic = *topic;
    ctx.type = type;
    ctx.group = cfg_.group_id;
    ctx.edge_node = layout_.id;
    ctx.device = device;
    ctx.bdseq = session_.bdseq();
    ctx.qos = qos;
    services_.record->message(ctx, p, names);
  }
  return true;
}

} // namespace floe::sim
