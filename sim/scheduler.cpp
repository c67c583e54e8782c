#include "sim/scheduler.hpp"

#include <algorithm>
#include <functional>

namespace floe::sim {

namespace {

using clock = std::chrono::steady_clock;

std::chrono::nanoseconds seconds_to_ns(double s) {
  return std::chrono::nanoseconds(static_cast<int64_t>(s * 1e9));
}

} // namespace

uint64_t utc_now_ms() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count());
}

scheduler::scheduler(std::vector<std::unique_ptr<edge_node>>& nodes, event_queue& events,
                     const scheduler_options& opts)
  : nodes_(nodes), events_(events), opts_(opts), rng_(mix_seed(opts.seed, 0x5c4ed)) {
  if (opts_.rate_per_s > 0)
    device_period_ = seconds_to_ns(1.0 / opts_.rate_per_s);
  if (opts_.node_data_interval_s > 0)
    node_data_period_ = seconds_to_ns(opts_.node_data_interval_s);
}

void scheduler::push(clock::time_point due, timer_kind kind, uint32_t node, uint32_t device) {
  heap_.push_back(timer{due, kind, node, device});
  std::push_heap(heap_.begin(), heap_.end(), std::greater<>{});
}

void scheduler::request_stop() {
  stop_.store(true);
  events_.interrupt();
}

void scheduler::run() {
  auto start = clock::now();
  // Spread the initial CONNECTs over up to a second so the broker is not hit by all at once.
  auto stagger = nodes_.empty() ? std::chrono::nanoseconds(0)
                                : std::min<std::chrono::nanoseconds>(
                                    std::chrono::milliseconds(2),
                                    std::chrono::seconds(1) / static_cast<int64_t>(nodes_.size()));
  heap_.reserve(nodes_.size() * (1 + (nodes_.empty() ? 0 : nodes_[0]->device_count())) + 8);
  for (uint32_t n = 0; n < nodes_.size(); ++n) {
    push(start + stagger * n, timer_kind::connect, n);
    // Devices start at random points of their period, so the load is even over time.
    if (device_period_.count() > 0)
      for (uint32_t d = 0; d < nodes_[n]->device_count(); ++d)
        push(start + std::chrono::nanoseconds(static_cast<int64_t>(
                       rng_.uniform() * static_cast<double>(device_period_.count()))),
             timer_kind::device_data, n, d);
    if (node_data_period_.count() > 0)
      push(start + node_data_period_, timer_kind::node_data, n);
  }
  if (opts_.drop_every_s > 0)
    push(start + seconds_to_ns(opts_.drop_every_s), timer_kind::drop_fault, 0);
  if (opts_.device_offline_every_s > 0)
    push(start + seconds_to_ns(opts_.device_offline_every_s), timer_kind::device_offline_fault, 0);

  while (!stop_.load(std::memory_order_relaxed)) {
    auto woke = clock::now();
    handle_events();
    auto now = clock::now();
    // Bounded, so that connection events are seen between batches even when overloaded.
    constexpr size_t max_timers_per_wake = 4096;
    size_t fired = 0;
    while (!heap_.empty() && heap_.front().due <= now && fired < max_timers_per_wake
           && !stop_.load(std::memory_order_relaxed)) {
      std::pop_heap(heap_.begin(), heap_.end(), std::greater<>{});
      timer t = heap_.back();
      heap_.pop_back();
      fire(t, now);
      ++fired;
    }
    if (fired == max_timers_per_wake)
      continue;
    auto next = heap_.empty() ? now + std::chrono::milliseconds(100) : heap_.front().due;
    events_.wait_until(std::max(next, woke + opts_.tick));
  }
  shutdown();
}

void scheduler::handle_events() {
  events_.drain(batch_);
  if (batch_.empty())
    return;
  uint64_t now_ms = utc_now_ms();
  auto now = clock::now();
  for (const auto& e : batch_) {
    if (e.node >= nodes_.size())
      continue;
    edge_node& n = *nodes_[e.node];
    n.on_event(e, now_ms);
    after(n, now);
  }
}

void scheduler::after(edge_node& n, clock::time_point now) {
  if (auto delay = n.take_reconnect_delay())
    push(now + std::chrono::milliseconds(*delay), timer_kind::connect, n.index());
}

void scheduler::fire(const timer& t, clock::time_point now) {
  switch (t.kind) {
    case timer_kind::device_data: {
      nodes_[t.node]->publish_device_data(t.device, utc_now_ms());
      auto due = t.due + device_period_;
      // Far behind (overload, suspended process): skip the missed slots instead of bursting.
      if (due + std::chrono::seconds(1) < now)
        due = now + device_period_;
      push(due, t.kind, t.node, t.device);
      break;
    }
    case timer_kind::node_data:
      nodes_[t.node]->publish_node_data(utc_now_ms());
      push(std::max(t.due + node_data_period_, now), t.kind, t.node);
      break;
    case timer_kind::connect:
      nodes_[t.node]->connect(utc_now_ms());
      after(*nodes_[t.node], now);
      break;
    case timer_kind::drop_fault:
      drop_random_node(now);
      push(t.due + seconds_to_ns(opts_.drop_every_s), t.kind, 0);
      break;
    case timer_kind::device_offline_fault:
      take_random_device_offline(now);
      push(t.due + seconds_to_ns(opts_.device_offline_every_s), t.kind, 0);
      break;
    case timer_kind::device_return:
      nodes_[t.node]->bring_device_online(t.device, utc_now_ms());
      break;
  }
}

void scheduler::drop_random_node(clock::time_point) {
  if (nodes_.empty())
    return;
  // A random connected edge node: start at a random index, take the first connected one.
  size_t start = static_cast<size_t>(rng_.uniform() * static_cast<double>(nodes_.size()));
  for (size_t k = 0; k < nodes_.size(); ++k) {
    edge_node& n = *nodes_[(start + k) % nodes_.size()];
    if (n.session().connected_now()) {
      n.drop_connection(utc_now_ms());
      return;
    }
  }
}

void scheduler::take_random_device_offline(clock::time_point now) {
  if (nodes_.empty())
    return;
  size_t start = static_cast<size_t>(rng_.uniform() * static_cast<double>(nodes_.size()));
  for (size_t k = 0; k < nodes_.size(); ++k) {
    auto index = static_cast<uint32_t>((start + k) % nodes_.size());
    edge_node& n = *nodes_[index];
    if (n.session().phase() != session_phase::online || n.device_count() == 0)
      continue;
    size_t first = static_cast<size_t>(rng_.uniform() * static_cast<double>(n.device_count()));
    for (size_t j = 0; j < n.device_count(); ++j) {
      auto d = static_cast<uint32_t>((first + j) % n.device_count());
      if (n.take_device_offline(d, utc_now_ms())) {
        push(now + seconds_to_ns(opts_.device_offline_s), timer_kind::device_return, index, d);
        return;
      }
    }
  }
}

void scheduler::shutdown() {
  uint64_t now_ms = utc_now_ms();
  handle_events();
  for (auto& n : nodes_)
    n->begin_shutdown(now_ms);
  auto deadline = clock::now() + opts_.shutdown_timeout;
  for (auto& n : nodes_)
    n->wait_shutdown(deadline);
  // Delivery failures reported while disconnecting still belong in the record.
  handle_events();
}

} // namespace floe::sim
