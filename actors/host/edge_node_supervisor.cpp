#include "actors/host/edge_node_supervisor.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include <caf/typed_event_based_actor.hpp>

#include "actors/host/device_actor.hpp"
#include "common/log.hpp"
#include "sparkplug/payload_codec.hpp"
#include "sparkplug/topic.hpp"

namespace floe::host {

namespace {

device_actor& device_for(supervisor_pointer self, const std::string& id) {
  auto& st = self->state;
  auto it = st.devices.find(id);
  if (it == st.devices.end()) {
    auto d = self->spawn<caf::linked>(device_behavior, st.ctx, st.session->group_id(),
                                      st.session->edge_node_id(), id);
    it = st.devices.emplace(id, std::move(d)).first;
  }
  return it->second;
}

void send_status(supervisor_pointer self, const std::string& device, bool online,
                 offline_reason reason, int64_t ts) {
  self->send(device_for(self, device),
             device_status{online, static_cast<uint8_t>(reason), ts});
  if (!device.empty()) {
    auto& b = self->state.device_briefs[device];
    b.id = device;
    b.online = online;
    if (online)
      b.birth_timestamp = ts;
  }
}

// Events a drain buffer keeps room for between messages (events; a DATA message of 100 metrics
// needs about 100).
constexpr size_t max_kept_events = 256;

void publish_rebirth(supervisor_pointer self, const rebirth_request& r) {
  auto& st = self->state;
  log::info("host", "rebirth requested from %s/%s: %s (%s)", st.session->group_id().c_str(),
            st.session->edge_node_id().c_str(), to_string(r.reason), r.detail.c_str());
  if (st.ctx->publish)
    st.ctx->publish(st.ncmd_topic, encode_rebirth_command(st.ctx->now_ms()));
}

// Forwards the session's events in order. Values for one device are sent as one message per
// run of consecutive updates, so a DATA message costs one message per device it touches.
void drain(supervisor_pointer self) {
  auto& st = self->state;
  st.session->take_events(st.events);
  device_updates pending;
  std::string pending_device;
  auto flush = [&] {
    if (pending.updates.empty())
      return;
    pending.ticket =
      backlog_ticket(st.ctx->backlog, message_bytes<metric_update>(pending.updates.size()));
    self->send(device_for(self, pending_device), std::move(pending));
    pending = device_updates{};
  };
  for (size_t i = 0; i < st.events.size(); ++i) {
    auto& ev = st.events[i];
    if (auto* u = std::get_if<metric_update>(&ev)) {
      if (!pending.updates.empty() && u->device != pending_device)
        flush();
      if (pending.updates.empty()) {
        pending_device = u->device;
        // One allocation per run: a metric_update is a few hundred bytes, and growing the
        // vector one update at a time moved each of them several times (8 % of floe-node's
        // CPU at full ingest).
        size_t run = 1;
        for (size_t j = i + 1; j < st.events.size(); ++j, ++run) {
          auto* next = std::get_if<metric_update>(&st.events[j]);
          if (!next || next->device != pending_device)
            break;
        }
        pending.updates.reserve(run);
      }
      pending.updates.push_back(std::move(*u));
      continue;
    }
    flush();
    std::visit(
      [&](auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, node_online>) {
          send_status(self, "", true, offline_reason::ndeath, e.birth_timestamp);
        } else if constexpr (std::is_same_v<T, node_offline>) {
          st.offline_timestamp = e.timestamp;
          send_status(self, "", false, e.reason, e.timestamp);
        } else if constexpr (std::is_same_v<T, device_online>) {
          send_status(self, e.device, true, offline_reason::ddeath, e.timestamp);
        } else if constexpr (std::is_same_v<T, device_offline>) {
          send_status(self, e.device, false, e.reason, e.timestamp);
        } else if constexpr (std::is_same_v<T, birth_registered>) {
          backlog_ticket ticket{st.ctx->backlog, message_bytes<metric_definition>(e.metrics.size())};
          self->send(device_for(self, e.device),
                     device_birth{e.timestamp, std::move(e.metrics), std::move(ticket)});
        } else if constexpr (std::is_same_v<T, rebirth_request>) {
          publish_rebirth(self, e);
        } else if constexpr (std::is_same_v<T, protocol_fault>) {
          static log::throttle throttle{5'000};
          if (auto n = throttle.pass(st.ctx->now_ms()))
            log::warn("host", "%s/%s%s%s: %s: %s (%llu similar in the last interval)",
                      st.session->group_id().c_str(), st.session->edge_node_id().c_str(),
                      e.device.empty() ? "" : "/", e.device.c_str(), to_string(e.kind),
                      e.detail.c_str(), static_cast<unsigned long long>(n - 1));
        }
      },
      ev);
  }
  flush();
  st.events.clear();
  // A birth of many devices leaves a buffer of tens of thousands of events behind; the buffers
  // alternate between session and supervisor (take_events swaps), so both are freed this way.
  if (st.events.capacity() > max_kept_events)
    std::vector<session_event>{}.swap(st.events);
}

void schedule(supervisor_pointer self) {
  auto& st = self->state;
  if (auto a = st.session_timer.rearm(st.session->next_deadline(), st.ctx->now_ms()))
    self->delayed_send(self, std::chrono::milliseconds(a->delay_ms), timer_atom::value,
                       a->generation);
}

edge_node_summary summarize(const supervisor_state& st) {
  auto& s = *st.session;
  auto& c = s.counters();
  edge_node_summary out;
  out.group = s.group_id();
  out.edge_node = s.edge_node_id();
  out.online = s.online();
  out.bdseq = s.bdseq() ? static_cast<int64_t>(*s.bdseq()) : -1;
  out.last_seq = s.last_seq() ? static_cast<int64_t>(*s.last_seq()) : -1;
  out.birth_timestamp = s.birth_timestamp();
  out.offline_timestamp = st.offline_timestamp;
  out.messages = c.messages;
  out.metrics = c.metrics;
  out.rebirths_requested = c.rebirths_requested;
  out.malformed_payloads = st.malformed;
  for (size_t k = 0; k < fault_kind_count; ++k) {
    if (c.faults[k] == 0)
      continue;
    out.protocol_faults += c.faults[k];
    out.faults[to_string(static_cast<fault_kind>(k))] = c.faults[k];
  }
  for (auto& [id, b] : st.device_briefs)
    out.devices.push_back(b);
  return out;
}

} // namespace

std::string encode_rebirth_command(int64_t now_ms) {
  sparkplug::payload p;
  p.timestamp = static_cast<uint64_t>(now_ms);
  sparkplug::metric m;
  m.name = std::string(sparkplug::node_rebirth_metric);
  m.timestamp = static_cast<uint64_t>(now_ms);
  m.type = sparkplug::datatype::boolean;
  m.val = true;
  p.metrics.push_back(std::move(m));
  auto bytes = sparkplug::encode_payload(p);
  return bytes ? std::move(*bytes) : std::string{};
}

supervisor_actor::behavior_type edge_node_supervisor(supervisor_pointer self,
                                                     host_context_ptr ctx, std::string group,
                                                     std::string edge_node) {
  auto& st = self->state;
  st.ctx = std::move(ctx);
  st.ncmd_topic = sparkplug::format_topic(
    {sparkplug::message_type::ncmd, group, edge_node, {}, {}, false});
  st.session.emplace(std::move(group), std::move(edge_node), st.ctx->session);
  return {
    [=](raw_message& msg) {
      auto& st = self->state;
      auto decoded = sparkplug::decode_payload(msg.payload, st.ctx->limits);
      if (!decoded) {
        ++st.malformed;
        static log::throttle throttle{5'000};
        if (auto n = throttle.pass(st.ctx->now_ms()))
          log::warn("host", "malformed %s payload from %s/%s%s%s (%zu bytes) dropped: %s "
                    "(%llu similar in the last interval)",
                    sparkplug::to_string(static_cast<sparkplug::message_type>(msg.type)),
                    st.session->group_id().c_str(), st.session->edge_node_id().c_str(),
                    msg.device.empty() ? "" : "/", msg.device.c_str(), msg.payload.size(),
                    sparkplug::to_string(decoded.error()).c_str(),
                    static_cast<unsigned long long>(n - 1));
        return;
      }
      st.session->handle(static_cast<sparkplug::message_type>(msg.type), msg.device,
                         std::move(*decoded), msg.arrival_ms);
      drain(self);
      schedule(self);
    },
    [=](timer_atom, uint64_t gen) {
      auto& st = self->state;
      if (!st.session_timer.fire(gen))
        return;
      st.session->on_timer(st.ctx->now_ms());
      drain(self);
      schedule(self);
    },
    [=](caf::get_atom) { return summarize(self->state); },
    [=](caf::get_atom, const std::string& device) -> caf::result<device_state_view> {
      auto& st = self->state;
      auto it = st.devices.find(device);
      if (it == st.devices.end())
        return caf::make_error(caf::sec::invalid_argument,
                               "unknown device '" + device + "' of edge node "
                                 + st.session->group_id() + "/" + st.session->edge_node_id());
      return self->delegate(it->second, caf::get_atom::value);
    },
    [=](rebirth_atom, const std::string& reason) -> std::string {
      auto& st = self->state;
      auto before = st.session->counters().rebirths_requested;
      st.session->request_rebirth(reason, st.ctx->now_ms());
      drain(self);
      schedule(self);
      if (st.session->counters().rebirths_requested > before)
        return "rebirth requested from " + st.session->group_id() + "/"
               + st.session->edge_node_id();
      return "rebirth of " + st.session->group_id() + "/" + st.session->edge_node_id()
             + " deferred by the throttle (one goes out when the interval ends)";
    },
    [=](release_atom) {
      auto& st = self->state;
      st.session->mark_offline(st.ctx->now_ms());
      drain(self);
      schedule(self);
    },
    [=](ack_atom, const std::string& alarm_id, const std::string& who)
      -> caf::delegated<std::string> {
      return self->delegate(device_for(self, ""), ack_atom::value, alarm_id, who);
    },
  };
}

} // namespace floe::host
