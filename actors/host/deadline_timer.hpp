#pragma once
// One re-armable timer per actor on top of CAF 0.17's delayed_send, which has no cancel: each
// arming gets a new generation, and a timer message whose generation is not the current one is
// stale and ignored. The owner asks rearm() after every message whether the earliest deadline
// changed and, if so, sends itself `timer_atom, generation` after the returned delay.
// Times: ms on the owner's wall clock. Not thread-safe (actor state).

#include <algorithm>
#include <cstdint>
#include <optional>

namespace floe::host {

class deadline_timer {
public:
  struct arming {
    uint64_t generation;
    int64_t delay_ms; // >= 0
  };

  // `next`: the earliest deadline now (nullopt: none). Returns what to send, or nullopt when the
  // timer already in flight is still the right one (or no timer is needed).
  std::optional<arming> rearm(std::optional<int64_t> next, int64_t now_ms) {
    if (next == armed_)
      return std::nullopt;
    armed_ = next;
    ++generation_;
    if (!next)
      return std::nullopt;
    return arming{generation_, std::max<int64_t>(0, *next - now_ms)};
  }

  // A timer message arrived: true when it is the current one (the deadline is then consumed).
  bool fire(uint64_t generation) {
    if (generation != generation_)
      return false;
    armed_.reset();
    return true;
  }

private:
  uint64_t generation_ = 0;
  std::optional<int64_t> armed_;
};

} // namespace floe::host
