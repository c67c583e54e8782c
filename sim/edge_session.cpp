#include "sim/edge_session.hpp"

namespace floe::sim {

const char* to_string(session_phase p) noexcept {
  switch (p) {
    case session_phase::disconnected: return "disconnected";
    case session_phase::connecting: return "connecting";
    case session_phase::awaiting_host: return "awaiting_host";
    case session_phase::online: return "online";
  }
  return "invalid";
}

uint8_t edge_session::begin_connect() noexcept {
  bdseq_ = next_bdseq_;
  next_bdseq_ = static_cast<uint8_t>(next_bdseq_ + 1);
  ++connects_;
  phase_ = session_phase::connecting;
  // The host's STATE must be seen again on every connection (the broker re-sends the retained
  // one right after the subscription).
  host_online_ = false;
  return bdseq_;
}

bool edge_session::connected() noexcept {
  if (phase_ != session_phase::connecting)
    return false;
  phase_ = session_phase::awaiting_host;
  return !wait_for_host_ || host_online_;
}

void edge_session::disconnected() noexcept {
  phase_ = session_phase::disconnected;
  host_online_ = false;
}

host_reaction edge_session::host_state(bool online, uint64_t timestamp) noexcept {
  if (!wait_for_host_)
    return host_reaction::none;
  if (online) {
    if (seen_state_ && timestamp < last_state_ts_)
      return host_reaction::none; // older than what we already saw: a stale message
    seen_state_ = true;
    last_state_ts_ = timestamp;
    seen_online_ = true;
    last_online_ts_ = timestamp;
    if (host_online_)
      return host_reaction::none;
    host_online_ = true;
    return phase_ == session_phase::awaiting_host ? host_reaction::birth : host_reaction::none;
  }
  if (seen_online_ && timestamp < last_online_ts_)
    return host_reaction::none; // the death of an older host session
  seen_state_ = true;
  if (timestamp > last_state_ts_)
    last_state_ts_ = timestamp;
  host_online_ = false;
  return phase_ == session_phase::online ? host_reaction::go_offline : host_reaction::none;
}

uint8_t edge_session::begin_birth() noexcept {
  phase_ = session_phase::online;
  seq_ = 1;
  return 0;
}

uint8_t edge_session::next_seq() noexcept {
  uint8_t s = seq_;
  seq_ = static_cast<uint8_t>(seq_ + 1);
  return s;
}

} // namespace floe::sim
