#pragma once
// The one scheduling thread of floe-sim. It owns every edge_node and drives it: a binary heap
// of timers (each device's next DATA, NDATA, reconnects, fault injections), and the events the
// MQTT client threads post. It sleeps until the next due timer but wakes at most once per tick
// and then serves everything due, so 10,000 devices at 1 msg/s cost ~500 wake-ups per second,
// not 10,000.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "config/defaults.hpp"
#include "sim/edge_node.hpp"
#include "sim/event_queue.hpp"

namespace floe::sim {

struct scheduler_options {
  double rate_per_s = defaults::sim::rate_per_s;  // DDATA per device per second; 0: none
  double node_data_interval_s = 0;                // NDATA period; 0: none
  std::chrono::milliseconds tick{defaults::sim::scheduler_tick_ms};
  std::chrono::milliseconds shutdown_timeout{defaults::sim::shutdown_timeout_ms};
  uint64_t seed = defaults::sim::seed;
  double drop_every_s = 0;           // --fault-drop-every
  double device_offline_every_s = 0; // --fault-device-offline-every
  double device_offline_s = defaults::sim::device_offline_s;
};

class scheduler {
public:
  scheduler(std::vector<std::unique_ptr<edge_node>>& nodes, event_queue& events,
            const scheduler_options& opts);

  // Runs on the calling thread until request_stop(), then shuts every edge node down
  // (NDEATH + DISCONNECT, waiting at most shutdown_timeout) and returns.
  void run();
  // Any thread.
  void request_stop();

private:
  enum class timer_kind : uint8_t {
    connect, device_data, node_data, drop_fault, device_offline_fault, device_return
  };
  struct timer {
    std::chrono::steady_clock::time_point due;
    timer_kind kind;
    uint32_t node;
    uint32_t device;
    bool operator>(const timer& o) const { return due > o.due; }
  };

  void push(std::chrono::steady_clock::time_point due, timer_kind kind, uint32_t node,
            uint32_t device = 0);
  void fire(const timer& t, std::chrono::steady_clock::time_point now);
  void handle_events();
  void after(edge_node& n, std::chrono::steady_clock::time_point now);
  void drop_random_node(std::chrono::steady_clock::time_point now);
  void take_random_device_offline(std::chrono::steady_clock::time_point now);
  void shutdown();

  std::vector<std::unique_ptr<edge_node>>& nodes_;
  event_queue& events_;
  scheduler_options opts_;
  std::atomic<bool> stop_{false};
  std::vector<timer> heap_; // min-heap on due
  std::vector<sim_event> batch_;
  random_source rng_;
  std::chrono::nanoseconds device_period_{0};
  std::chrono::nanoseconds node_data_period_{0};
};

// UTC now in ms since the Unix epoch (Sparkplug timestamps).
uint64_t utc_now_ms();

} // namespace floe::sim
