#include "node/ingest.hpp"

#include <caf/actor_system.hpp>
#include <caf/send.hpp>

#include "actors/host/edge_node_supervisor.hpp"
#include "common/log.hpp"
#include "sparkplug/topic.hpp"

namespace floe::node {

ingest::ingest(caf::actor_system& sys, host::host_context_ptr ctx, host::directory_actor directory)
  : sys_(sys), ctx_(std::move(ctx)), directory_(std::move(directory)) {}

void ingest::on_message(std::string_view topic, std::string_view payload) {
  messages_.fetch_add(1, std::memory_order_relaxed);
  bytes_.fetch_add(payload.size(), std::memory_order_relaxed);
  auto t = sparkplug::parse_topic(topic);
  if (!t) {
    if (topic.substr(0, sparkplug::topic_namespace.size()) == sparkplug::topic_namespace) {
      bad_topics_.fetch_add(1, std::memory_order_relaxed);
      static log::throttle throttle{10'000};
      if (auto n = throttle.pass(ctx_->now_ms()))
        log::warn("ingest", "message on malformed Sparkplug topic '%.*s' dropped: %s "
                  "(%llu similar in the last interval)",
                  static_cast<int>(std::min<size_t>(topic.size(), 200)), topic.data(),
                  sparkplug::to_string(t.error()).c_str(), static_cast<unsigned long long>(n - 1));
    } else {
      ignored_.fetch_add(1, std::memory_order_relaxed);
    }
    return;
  }
  auto& v = *t;
  using sparkplug::message_type;
  if (v.type == message_type::state || v.type == message_type::ncmd
      || v.type == message_type::dcmd) {
    ignored_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  key_.assign(v.group_id);
  key_ += '/';
  key_.append(v.edge_node_id);
  host::supervisor_actor sup;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto it = supervisors_.find(key_);
    if (it != supervisors_.end())
      sup = it->second;
    else if (!sharded_)
      sup = spawn_locked(key_, v.group_id, v.edge_node_id);
  }
  if (!sup) {
    not_owned_.fetch_add(1, std::memory_order_relaxed);
    if ((v.type == message_type::nbirth || v.type == message_type::ndeath)
        && reported_.insert(key_).second)
      caf::anon_send(cluster_, cluster::discover_atom::value, key_);
    return;
  }
  // Bounded memory between here and the store (pipeline_backlog.hpp): waiting here stops the
  // reads from the broker's socket while the node works off what it holds.
  if (ctx_->backlog)
    ctx_->backlog->wait_for_room();
  auto bytes = message_bytes<host::raw_message>(1, payload.size() + v.device_id.size());
  caf::anon_send(sup, host::raw_message{static_cast<uint8_t>(v.type), std::string(v.device_id),
                                        std::string(payload), ctx_->now_ms(),
                                        backlog_ticket(ctx_->backlog, bytes)});
}

host::supervisor_actor ingest::spawn_locked(const std::string& key, std::string_view group,
                                            std::string_view edge) {
  std::string g(group), e(edge);
  auto sup = sys_.spawn(host::edge_node_supervisor, ctx_, g, e);
  caf::anon_send(directory_, caf::put_atom::value, g, e, sup);
  supervisors_.emplace(key, sup);
  edge_nodes_.fetch_add(1, std::memory_order_relaxed);
  return sup;
}

void ingest::enable_sharding(cluster::cluster_actor cluster) {
  std::lock_guard<std::mutex> guard{mtx_};
  sharded_ = true;
  cluster_ = std::move(cluster);
}

host::supervisor_actor ingest::own(const std::string& key) {
  auto slash = key.find('/');
  std::lock_guard<std::mutex> guard{mtx_};
  if (auto it = supervisors_.find(key); it != supervisors_.end())
    return it->second;
  if (slash == std::string::npos)
    return {};
  return spawn_locked(key, std::string_view(key).substr(0, slash),
                      std::string_view(key).substr(slash + 1));
}

void ingest::disown(const std::string& key) {
  host::supervisor_actor sup;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    auto it = supervisors_.find(key);
    if (it == supervisors_.end())
      return;
    sup = std::move(it->second);
    supervisors_.erase(it);
  }
  auto slash = key.find('/');
  caf::anon_send(directory_, caf::delete_atom::value, key.substr(0, slash),
                 key.substr(slash + 1));
  // Mailbox order: the release (offline events to storage and alarms) before the exit.
  caf::anon_send(sup, host::release_atom::value);
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
}

void ingest::on_status(bool connected, const std::string& reason) {
  connected_ = connected;
  if (connected) {
    connects_.fetch_add(1, std::memory_order_relaxed);
    log::info("mqtt", "connected: %s", reason.c_str());
    return;
  }
  // Also called from host_client's connection thread (failed connects): read under the lock.
  std::lock_guard<std::mutex> guard{mtx_};
  if (supervisors_.empty()) {
    log::warn("mqtt", "not connected: %s", reason.c_str());
    return;
  }
  losses_.fetch_add(1, std::memory_order_relaxed);
  log::warn("mqtt", "connection lost: %s; %zu edge node sessions released", reason.c_str(),
            supervisors_.size());
  for (auto& [key, sup] : supervisors_)
    caf::anon_send(sup, host::release_atom::value);
}

query::ingest_counters ingest::counters() const {
  query::ingest_counters c;
  c.messages = messages_.load(std::memory_order_relaxed);
  c.bytes = bytes_.load(std::memory_order_relaxed);
  c.ignored_topics = ignored_.load(std::memory_order_relaxed);
  c.bad_topics = bad_topics_.load(std::memory_order_relaxed);
  c.edge_nodes = edge_nodes_.load(std::memory_order_relaxed);
  c.not_owned = not_owned_.load(std::memory_order_relaxed);
  c.connected = connected_.load();
  c.connects = connects_.load(std::memory_order_relaxed);
  c.connection_losses = losses_.load(std::memory_order_relaxed);
  if (ctx_->backlog) {
    c.backlog_bytes = ctx_->backlog->bytes();
    c.backlog_limit_bytes = ctx_->backlog->limit();
    c.backlog_stalls = ctx_->backlog->stalls();
    c.backlog_stalled_ms = ctx_->backlog->stalled_ms();
  }
  return c;
}

std::vector<host::supervisor_actor> ingest::supervisors() const {
  std::lock_guard<std::mutex> guard{mtx_};
  std::vector<host::supervisor_actor> out;
  for (auto& [key, sup] : supervisors_)
    out.push_back(sup);
  return out;
}

} // namespace floe::node
