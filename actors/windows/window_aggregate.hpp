#pragma once
// window_aggregate: the accumulator of one window of one series (pure, no CAF, not shared
// between threads).
//
// Numeric: count, min, max, first/last by (timestamp, seq), a Neumaier-compensated sum, and
// mean + M2 (sum of squared deviations) by Welford's update; merge uses the pairwise form of
// Chan et al. Both avoid the cancellation of "sum of squares minus square of sum", which loses
// every digit when values sit far from zero (e.g. 1e9 + small noise), and M2 never goes negative.
// Numeric points may be added in any order.
//
// Boolean and string: count, last, changes between consecutive points, and (boolean) the time
// the value was true between the first and the last point. These depend on the order of the
// points, so add() requires strictly increasing (timestamp, seq) and merge() requires that every
// point of `later` follows every point of *this. The parts that depend on the value carried in
// from before the window and on how long the last value lasted are added by finish(), so one
// accumulator serves any carry-in.

#include <cstdint>
#include <string>

#include "actors/windows/compact_storage.hpp"
#include "actors/windows/window_types.hpp"
#include "common/result.hpp"

namespace floe::windows {

class window_aggregate {
public:
  explicit window_aggregate(value_kind kind = value_kind::numeric) : kind_(kind) {
    if (kind_ == value_kind::numeric)
      u_.num = numeric_part{};
    else
      u_.ord = ordered_part{};
  }
  window_aggregate(const window_aggregate& other);
  window_aggregate(window_aggregate&& other) noexcept;
  window_aggregate& operator=(const window_aggregate& other);
  window_aggregate& operator=(window_aggregate&& other) noexcept;
  ~window_aggregate();

  // Adds one point. Errors (nothing changes): kind_mismatch, non_finite_value,
  // out_of_order (boolean/string point not after the last one).
  result<void, errc> add(const sample& s);

  // Appends the points summarised by `later` (same kind). For boolean/string every point of
  // `later` must follow every point of *this, else out_of_order and nothing changes.
  result<void, errc> merge(const window_aggregate& later);

  // The window's aggregates. carry_in: the series' last point before start_ms (nullptr if
  // unknown); it counts as a change when it differs from the first point, and (boolean) a true
  // carry-in counts as true from start_ms to the first point. The last value counts as lasting
  // until until_ms (clamped to [last point, start_ms + width_ms]): the window end for a closed
  // window, the series' newest event time for a view of an open one.
  window_result finish(uint64_t series_id, int64_t width_ms, int64_t start_ms,
                       const sample* carry_in, int64_t until_ms) const;

  value_kind kind() const { return kind_; }
  uint64_t count() const { return count_; }
  point_key first_key() const { return {first_ts_, first_seq_}; } // meaningful when count() > 0
  point_key last_key() const { return {last_ts_, last_seq_}; }

private:
  // Memory: one accumulator per open window, width and series, so the state is kept compact
  // (96 bytes): the numeric and the boolean/string parts share storage (only the part of
  // kind_ is ever active), and the texts of a string series live on the heap.
  struct texts {
    std::string first;
    std::string last;
  };
  struct numeric_part {
    double min;
    double max;
    double sum;
    double sum_compensation;  // Neumaier: low-order bits lost from sum
    double mean;
    double m2;
    double first_number;
    double last_number;
  };
  struct ordered_part {       // boolean / string
    uint64_t changes;         // between points of this accumulator only
    int64_t true_ms;          // true time between the first and the last point
    texts* text;              // string: owned, set once the first point is added; else null
  };

  void add_numeric(double x);
  bool same_as(const sample& s, bool flag, const std::string* text) const;
  const texts* text() const { return kind_ == value_kind::string ? u_.ord.text : nullptr; }
  texts& ensure_text();
  void copy_plain(const window_aggregate& other);
  void swap(window_aggregate& other) noexcept;

  uint64_t count_ = 0;
  int64_t first_ts_ = 0;
  int64_t last_ts_ = 0;
  uint16_t first_seq_ = 0;
  uint16_t last_seq_ = 0;
  value_kind kind_;
  bool first_flag_ = false;   // boolean
  bool last_flag_ = false;
  union {
    numeric_part num;         // active when kind_ == numeric
    ordered_part ord;         // active otherwise
  } u_;
};

} // namespace floe::windows
