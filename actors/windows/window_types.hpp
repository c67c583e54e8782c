#pragma once
// Plain value types of the window aggregation core (no CAF): one point in, one window out.
//
// Times: every *_ms field is milliseconds. Event times (sample::timestamp_ms, window bounds) are
// ms since the Unix epoch, UTC, as carried in Sparkplug metric timestamps. Processing times
// (arrival_ms, now_ms parameters of series_windows) are ms on any monotonic clock the caller
// chooses; only their differences are used.

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <tuple>

namespace floe::windows {

// What a series carries. Integers of every width, Float and Double are `numeric`
// (held as double: integers beyond 2^53 lose precision in aggregates, raw points keep them).
enum class value_kind : uint8_t { numeric = 0, boolean = 1, string = 2 };

std::string_view to_string(value_kind k);

// Why a point, a configuration or a recomputation was refused.
enum class errc : uint8_t {
  wrong_series = 1,       // sample belongs to another series than the receiver
  kind_mismatch,          // sample kind differs from the series' kind
  non_finite_value,       // numeric NaN or infinity: would poison min/max/sum
  timestamp_out_of_range, // outside [0, max_timestamp_ms]
  out_of_order,           // boolean/string accumulator fed a point not after its last one
  bad_width,              // window width <= 0, > max_width_ms, or no width at all
  bad_lateness,           // allowed lateness < 0 or > max_lateness_ms
  raw_source_failed,      // the raw point source could not answer (storage error)
  missing_raw_source,     // an aggregator was set up without a raw point source
};

std::string_view to_string(errc e);

// Validity bounds: they keep every start + width and timestamp + lateness far from overflow.
inline constexpr int64_t max_timestamp_ms = std::numeric_limits<int64_t>::max() / 4;
inline constexpr int64_t max_width_ms = int64_t{366} * 24 * 3600 * 1000;  // one leap year
inline constexpr int64_t max_lateness_ms = int64_t{366} * 24 * 3600 * 1000;

// One point of one series. Identity: (series_id, timestamp_ms, seq) — two samples with the same
// identity are the same point delivered twice (e.g. during a shard hand-over); the later
// delivery replaces the earlier one, as the store's put of the same key does.
struct sample {
  uint64_t series_id = 0;
  int64_t timestamp_ms = 0;  // event time (the metric's timestamp), not arrival
  uint16_t seq = 0;          // tie-breaker between points of one series sharing a timestamp
  value_kind kind = value_kind::numeric;
  double number = 0;         // value when kind == numeric
  bool flag = false;         // value when kind == boolean
  std::string text;          // value when kind == string
  bool historical = false;   // Sparkplug is_historical: never advances the watermark
};

bool operator==(const sample& a, const sample& b);
inline bool operator!=(const sample& a, const sample& b) { return !(a == b); }

// Order of points inside a series: event time, then seq.
struct point_key {
  int64_t timestamp_ms = 0;
  uint16_t seq = 0;
};
inline point_key key_of(const sample& s) { return {s.timestamp_ms, s.seq}; }
inline bool operator<(point_key a, point_key b) {
  return std::tie(a.timestamp_ms, a.seq) < std::tie(b.timestamp_ms, b.seq);
}
inline bool operator==(point_key a, point_key b) {
  return a.timestamp_ms == b.timestamp_ms && a.seq == b.seq;
}
inline bool operator<=(point_key a, point_key b) { return !(b < a); }

// The aggregates of one tumbling window [start_ms, end_ms) of one series and one width.
// Windows without points are never produced: a consumer filling a gap uses the previous
// window's last value (it held through the gap, which is also how time_true_ms counts).
struct window_result {
  uint64_t series_id = 0;
  int64_t width_ms = 0;
  int64_t start_ms = 0;  // inclusive, a multiple of width_ms (epoch-aligned)
  int64_t end_ms = 0;    // exclusive
  value_kind kind = value_kind::numeric;
  bool final = false;       // true: closed (sink); false: current view of an open window
  bool recomputed = false;  // true: re-emitted after a late/historical point re-opened it
  uint64_t count = 0;       // points in the window (duplicates counted once)
  int64_t first_ts_ms = 0;  // event time of the first / last point
  int64_t last_ts_ms = 0;
  // numeric only (0 otherwise)
  double min = 0;
  double max = 0;
  double sum = 0;    // compensated (Neumaier) sum
  double mean = 0;
  double stddev = 0; // population standard deviation
  double first = 0;  // value of the first / last point by event time
  double last = 0;
  // boolean only
  bool last_flag = false;
  int64_t time_true_ms = 0;  // time inside the window the value was true (see finish())
  // boolean and string: value transitions between consecutive points whose later point lies
  // in the window, including the transition from the value carried in from before start_ms.
  // Summed over consecutive windows this gives the series' total number of changes.
  uint64_t changes = 0;
  // string only
  std::string last_text;
};

bool operator==(const window_result& a, const window_result& b);
inline bool operator!=(const window_result& a, const window_result& b) { return !(a == b); }

// Start of the width_ms window holding t (floor, also for negative t). width_ms > 0.
inline int64_t window_start(int64_t t, int64_t width_ms) {
  int64_t r = t % width_ms;
  return r < 0 ? t - r - width_ms : t - r;
}

} // namespace floe::windows
