#pragma once
// pipeline_backlog: the memory held by messages on their way from the MQTT callback to the store
// and the window aggregators (raw payloads, device batches, point records, window samples), and
// the bound that makes the MQTT callback wait when it is full.
//
// Why: every stage hands work on by message, and CAF mailboxes are unbounded. A publisher faster
// than the node (or a burst of stored-and-forwarded data after an outage) otherwise fills the
// mailboxes until the process is killed for memory: floe-ingest-bench grew a 1,000-device node to
// 1.1 GiB in 17 s of overload. Waiting in paho's callback stops the reads from the broker's
// socket, so the backlog moves to where it is configured and bounded: the broker.
//
// backlog_ticket: carried inside a message. Its weight (an estimate of the message's bytes)
// counts in the backlog from its creation until the message is destroyed, that is when its
// handler is done with it or when a stopped actor's mailbox is dropped: no path out of the
// pipeline can leave weight behind. A copy of a ticket weighs nothing (CAF copies a message only
// to let a handler modify a shared one; the original still carries the weight).
//
// Thread-safety: every member of both classes may be used from any thread.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <thread>
#include <utility>

namespace floe {

class pipeline_backlog {
public:
  // limit_bytes: the callback waits while the backlog holds this much or more (bytes); 0 = no
  // limit (the backlog is only measured).
  explicit pipeline_backlog(uint64_t limit_bytes) : limit_(limit_bytes) {}

  uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  uint64_t limit() const { return limit_; }
  // Waits that wait_for_room() did, and their total duration (ms).
  uint64_t stalls() const { return stalls_.load(std::memory_order_relaxed); }
  uint64_t stalled_ms() const { return stalled_ms_.load(std::memory_order_relaxed); }

  // The MQTT callback thread, before it hands on a message: returns at once below the limit,
  // else sleeps in steps of `poll` until the backlog is below it. Returns the time waited (ms).
  uint64_t wait_for_room(std::chrono::milliseconds poll = std::chrono::milliseconds(1)) {
    if (limit_ == 0 || bytes() < limit_)
      return 0;
    auto start = std::chrono::steady_clock::now();
    while (bytes() >= limit_)
      std::this_thread::sleep_for(poll);
    auto waited = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::steady_clock::now() - start)
                                          .count());
    stalls_.fetch_add(1, std::memory_order_relaxed);
    stalled_ms_.fetch_add(waited, std::memory_order_relaxed);
    return waited;
  }

  void add(uint64_t n) { bytes_.fetch_add(n, std::memory_order_relaxed); }
  void release(uint64_t n) { bytes_.fetch_sub(n, std::memory_order_relaxed); }

private:
  const uint64_t limit_;
  std::atomic<uint64_t> bytes_{0};
  std::atomic<uint64_t> stalls_{0};
  std::atomic<uint64_t> stalled_ms_{0};
};

// Fixed cost of a message beyond its contents (bytes): CAF's mailbox element and tuple.
inline constexpr uint64_t message_overhead_bytes = 128;

// The weight of a message holding `count` elements of T plus `extra` bytes (bytes).
template <class T>
constexpr uint64_t message_bytes(size_t count, uint64_t extra = 0) {
  return message_overhead_bytes + count * sizeof(T) + extra;
}

class backlog_ticket {
public:
  backlog_ticket() = default;
  // Counts `bytes` in `backlog` (null: an empty ticket) until this ticket is destroyed.
  backlog_ticket(std::shared_ptr<pipeline_backlog> backlog, uint64_t bytes)
    : backlog_(std::move(backlog)), bytes_(backlog_ ? bytes : 0) {
    if (backlog_)
      backlog_->add(bytes_);
  }
  backlog_ticket(const backlog_ticket&) noexcept {}
  backlog_ticket& operator=(const backlog_ticket& other) noexcept {
    if (this != &other)
      release();
    return *this;
  }
  backlog_ticket(backlog_ticket&& other) noexcept
    : backlog_(std::move(other.backlog_)), bytes_(std::exchange(other.bytes_, 0)) {}
  backlog_ticket& operator=(backlog_ticket&& other) noexcept {
    if (this != &other) {
      release();
      backlog_ = std::move(other.backlog_);
      bytes_ = std::exchange(other.bytes_, 0);
    }
    return *this;
  }
  ~backlog_ticket() { release(); }

  uint64_t bytes() const { return bytes_; }
  // Gives the weight back now (e.g. once a handler has moved the contents elsewhere).
  void release() noexcept {
    if (backlog_ && bytes_ > 0)
      backlog_->release(bytes_);
    backlog_.reset();
    bytes_ = 0;
  }

private:
  std::shared_ptr<pipeline_backlog> backlog_;
  uint64_t bytes_ = 0;
};

} // namespace floe
