#pragma once
// latency_histogram: counts of latencies in milliseconds, for percentiles in statistics and
// benchmarks. 1 ms buckets up to 1 s, 100 ms buckets up to 60 s, one overflow bucket; a
// negative latency (clocks of publisher and host apart) counts as 0. Percentiles are the upper
// bound of the bucket that holds them, so they are exact to 1 ms below 1 s.
// Not thread-safe: owned by one actor. About 5 KiB.

#include <array>
#include <cstdint>

namespace floe {

class latency_histogram {
public:
  void add(int64_t ms) noexcept {
    ++count_;
    if (ms < 0)
      ms = 0;
    if (ms < fine_limit_ms)
      ++fine_[static_cast<size_t>(ms)];
    else if (ms < coarse_limit_ms)
      ++coarse_[static_cast<size_t>((ms - fine_limit_ms) / coarse_step_ms)];
    else
      ++overflow_;
  }

  uint64_t count() const noexcept { return count_; }

  // Latency (ms) below or at which a fraction q (0..1) of the samples lie; 0 when empty,
  // coarse_limit_ms when the quantile lies in the overflow bucket.
  int64_t percentile(double q) const noexcept {
    if (count_ == 0)
      return 0;
    auto rank = static_cast<uint64_t>(q * static_cast<double>(count_));
    if (rank >= count_)
      rank = count_ - 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < fine_.size(); ++i)
      if ((seen += fine_[i]) > rank)
        return static_cast<int64_t>(i) + 1;
    for (size_t i = 0; i < coarse_.size(); ++i)
      if ((seen += coarse_[i]) > rank)
        return fine_limit_ms + static_cast<int64_t>(i + 1) * coarse_step_ms;
    return coarse_limit_ms;
  }

  static constexpr int64_t fine_limit_ms = 1'000;
  static constexpr int64_t coarse_step_ms = 100;
  static constexpr int64_t coarse_limit_ms = 60'000;

private:
  std::array<uint32_t, fine_limit_ms> fine_{};
  std::array<uint32_t, (coarse_limit_ms - fine_limit_ms) / coarse_step_ms> coarse_{};
  uint64_t overflow_ = 0;
  uint64_t count_ = 0;
};

} // namespace floe
