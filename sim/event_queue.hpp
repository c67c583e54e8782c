#pragma once
// Hand-over of transport events (MQTT client threads) to the scheduling thread, which also
// sleeps here until its next timer is due. Multi-producer, single consumer.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "sim/transport.hpp"

namespace floe::sim {

class event_queue {
public:
  // Any thread. Wakes the consumer.
  void post(sim_event e) {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      pending_.push_back(std::move(e));
    }
    wake_.notify_one();
  }

  // Any thread: ends the consumer's current wait without an event.
  void interrupt() {
    {
      std::lock_guard<std::mutex> guard(mutex_);
      interrupted_ = true;
    }
    wake_.notify_one();
  }

  // Consumer: sleeps until an event or interrupt arrives or `deadline` passes.
  void wait_until(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait_until(lock, deadline, [this] { return !pending_.empty() || interrupted_; });
    interrupted_ = false;
  }

  // Consumer: moves every pending event into `out` (cleared first).
  void drain(std::vector<sim_event>& out) {
    out.clear();
    std::lock_guard<std::mutex> guard(mutex_);
    out.swap(pending_);
  }

private:
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<sim_event> pending_;
  bool interrupted_ = false;
};

} // namespace floe::sim
