#include "actors/cluster/membership.hpp"

#include <algorithm>
#include <set>

namespace floe::cluster {

const char* to_string(down_reason r) noexcept {
  switch (r) {
    case down_reason::heartbeat_timeout:
      return "heartbeat_timeout";
    case down_reason::connection_lost:
      return "connection_lost";
    case down_reason::left:
      return "left";
  }
  return "?";
}

membership::membership(membership_config config) : config_(std::move(config)) {
  std::set<std::string, std::less<>> configured;
  configured.insert(config_.self);
  for (const auto& s : config_.seeds)
    if (!s.empty())
      configured.insert(s);
  configured_size_ = std::max(config_.cluster_size, configured.size());
  for (const auto& s : configured)
    if (s != config_.self)
      members_[s].configured = true;
  majority_ = 2 * live_count() > cluster_size();
}

membership::member& membership::known(std::string_view id) {
  auto i = members_.find(id);
  if (i == members_.end())
    i = members_.emplace(std::string(id), member{}).first;
  return i->second;
}

void membership::on_connected(std::string_view id, int64_t now_ms) {
  expire(now_ms);
  if (id.empty() || id == config_.self)
    return;
  known(id).connected = true;
  update_majority(now_ms); // a member never seen before enlarges the cluster
}

void membership::on_heartbeat(std::string_view id, int64_t now_ms,
                              const std::vector<std::string>& reported_live) {
  expire(now_ms);
  if (id.empty())
    return;
  if (id == config_.self) {
    ++counters_.id_conflicts;
    events_.emplace_back(member_id_conflict{now_ms});
    return;
  }
  auto& m = known(id);
  if (!m.connected) {
    ++counters_.heartbeats_unconnected;
    update_majority(now_ms);
    return;
  }
  ++counters_.heartbeats;
  m.last_heartbeat_ms = now_ms;
  m.reported.clear();
  for (const auto& r : reported_live)
    if (!r.empty())
      m.reported.push_back(r);
  std::sort(m.reported.begin(), m.reported.end());
  m.reported.erase(std::unique(m.reported.begin(), m.reported.end()), m.reported.end());
  for (const auto& r : m.reported)
    if (r != config_.self)
      known(r); // enlarges cluster_size() if new
  if (!m.up) {
    m.up = true;
    m.changed_ms = now_ms;
    events_.emplace_back(member_up{std::string(id), now_ms});
  }
  update_majority(now_ms);
}

void membership::on_connection_lost(std::string_view id, int64_t now_ms) {
  expire(now_ms);
  auto i = members_.find(id);
  if (i == members_.end())
    return;
  auto& m = i->second;
  m.connected = false;
  if (m.up)
    go_down(i->first, m, down_reason::connection_lost, now_ms);
  m.last_heartbeat_ms.reset();
  m.reported.clear();
  update_majority(now_ms);
}

void membership::on_left(std::string_view id, int64_t now_ms) {
  expire(now_ms);
  auto i = members_.find(id);
  if (i == members_.end())
    return;
  auto& m = i->second;
  if (m.up)
    go_down(i->first, m, down_reason::left, now_ms);
  m.last_heartbeat_ms.reset();
  m.reported.clear();
  update_majority(now_ms);
}

void membership::on_tick(int64_t now_ms) {
  expire(now_ms);
}

void membership::expire(int64_t now_ms) {
  for (auto& [id, m] : members_) {
    if (!m.up || !m.last_heartbeat_ms)
      continue;
    if (*m.last_heartbeat_ms > now_ms) // clock stepped back
      m.last_heartbeat_ms = now_ms;
    if (now_ms - *m.last_heartbeat_ms >= config_.heartbeat_timeout_ms) {
      go_down(id, m, down_reason::heartbeat_timeout, now_ms);
      m.reported.clear();
    }
  }
  // The call's own event comes after: a late heartbeat yields down, majority_lost, up,
  // majority_regained, as it happened.
  update_majority(now_ms);
}

void membership::go_down(const std::string& id, member& m, down_reason reason, int64_t now_ms) {
  m.up = false;
  m.last_down = reason;
  m.changed_ms = now_ms;
  switch (reason) {
    case down_reason::heartbeat_timeout:
      ++counters_.downs_heartbeat;
      break;
    case down_reason::connection_lost:
      ++counters_.downs_connection;
      break;
    case down_reason::left:
      ++counters_.downs_left;
      break;
  }
  events_.emplace_back(member_down{id, reason, now_ms});
}

void membership::update_majority(int64_t now_ms) {
  size_t live = live_count();
  size_t size = cluster_size();
  bool has = 2 * live > size;
  if (has == majority_)
    return;
  majority_ = has;
  if (has)
    events_.emplace_back(majority_regained{live, size, now_ms});
  else
    events_.emplace_back(majority_lost{live, size, now_ms});
}

std::optional<int64_t> membership::next_deadline() const noexcept {
  std::optional<int64_t> next;
  for (const auto& [id, m] : members_)
    if (m.up && m.last_heartbeat_ms) {
      int64_t due = *m.last_heartbeat_ms + config_.heartbeat_timeout_ms;
      if (!next || due < *next)
        next = due;
    }
  return next;
}

std::vector<std::string> membership::live_members() const {
  std::vector<std::string> out;
  out.reserve(members_.size() + 1);
  bool self_done = false;
  for (const auto& [id, m] : members_) {
    if (!self_done && config_.self < id) {
      out.push_back(config_.self);
      self_done = true;
    }
    if (m.up)
      out.push_back(id);
  }
  if (!self_done)
    out.push_back(config_.self);
  return out;
}

std::vector<std::string> membership::placement_members() const {
  std::set<std::string, std::less<>> all;
  all.insert(config_.self);
  for (const auto& [id, m] : members_) {
    if (!m.up)
      continue;
    all.insert(id);
    for (const auto& r : m.reported)
      all.insert(r);
  }
  return {all.begin(), all.end()};
}

bool membership::is_up(std::string_view id) const {
  if (id == config_.self)
    return true;
  auto i = members_.find(id);
  return i != members_.end() && i->second.up;
}

size_t membership::live_count() const noexcept {
  size_t n = 1;
  for (const auto& [id, m] : members_)
    n += m.up ? 1 : 0;
  return n;
}

size_t membership::cluster_size() const noexcept {
  return std::max(configured_size_, members_.size() + 1);
}

std::vector<member_view> membership::members() const {
  std::vector<member_view> out;
  out.reserve(members_.size() + 1);
  member_view me;
  me.id = config_.self;
  me.self = true;
  me.configured = true;
  me.connected = true;
  me.up = true;
  me.reported = live_members();
  bool self_done = false;
  for (const auto& [id, m] : members_) {
    if (!self_done && config_.self < id) {
      out.push_back(me);
      self_done = true;
    }
    member_view v;
    v.id = id;
    v.configured = m.configured;
    v.connected = m.connected;
    v.up = m.up;
    v.last_heartbeat_ms = m.last_heartbeat_ms;
    v.last_down = m.last_down;
    v.changed_ms = m.changed_ms;
    v.reported = m.reported;
    out.push_back(std::move(v));
  }
  if (!self_done)
    out.push_back(std::move(me));
  return out;
}

void membership::take_events(std::vector<membership_event>& out) {
  out.clear();
  out.swap(events_);
}

std::optional<host_port> parse_host_port(const std::string& s) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == s.size())
    return std::nullopt;
  std::string host = s.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']')
      return std::nullopt;
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return std::nullopt; // an IPv6 literal needs brackets
  }
  unsigned long port = 0;
  for (size_t i = colon + 1; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9')
      return std::nullopt;
    port = port * 10 + static_cast<unsigned long>(s[i] - '0');
    if (port > 65535)
      return std::nullopt;
  }
  if (port == 0)
    return std::nullopt;
  return host_port{std::move(host), static_cast<uint16_t>(port)};
}

} // namespace floe::cluster
