#pragma once
// What the `points` and `windows` families hold, and their byte encodings.
//
// Stored value (self-delimiting, used inside points and windows):
//   tag byte: low nibble = type, high nibble = flags of the surrounding record (0 in windows)
//     0 null | 1 double (8 bytes, IEEE bits big-endian) | 2 double that is exactly a float
//     (4 bytes: Sparkplug Float metrics cost half) | 3 int64 (zigzag varint) | 4 uint64 (varint)
//     | 5 false | 6 true | 7 string (varint length + bytes) | 8 bytes (varint length + bytes)
// Point value: tag byte with flags (bit 4 historical, bit 5 quality follows; bits 6-7 must be
//   0, reserved for a later format), [quality: zigzag varint], value payload. A good-quality
//   live double sample is 9 bytes, a Float or small integer 2-5 bytes.
// Window record: version byte (1), kind byte, then every field (see encode_window_value).
// Decoders check every length and tag and return errc::corruption on malformed bytes,
// including trailing garbage; they never read out of bounds.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "store/errc.hpp"
#include "store/keys.hpp"

namespace floe::store {

class write_batch;

using byte_string = std::vector<uint8_t>;

// Sparkplug values reduce to these: integers of every width widen to int64/uint64 (DateTime is
// uint64 ms), Float and Double to double, String/Text/UUID to string, Bytes/File to bytes.
// Arrays, DataSets and Templates are not points (their members are, or the registry keeps them).
using stored_value =
  std::variant<std::monostate, double, int64_t, uint64_t, bool, std::string, byte_string>;

// OPC-style quality codes as Sparkplug/Ignition use them in the "Quality" property.
inline constexpr int32_t quality_good = 192;
inline constexpr int32_t quality_bad = 0;
inline constexpr int32_t quality_stale = 500;

struct point_flags {
  bool historical = false;       // Sparkplug is_historical: replayed, not a live value
  int32_t quality = quality_good; // stored only when not good
};

struct stored_point {
  series_id series = 0;
  int64_t timestamp_ms = 0; // Sparkplug metric timestamp (ms since the Unix epoch, UTC)
  uint16_t seq = 0;         // tells apart samples of one series within one millisecond
  stored_value value;
  point_flags flags;
};

// Equality with doubles compared by bits (NaN equals the same NaN): round trips are exact.
bool same_value(const stored_value& a, const stored_value& b) noexcept;
bool same_point(const stored_point& a, const stored_point& b) noexcept;

struct point_value {
  stored_value value;
  point_flags flags;
};

void append_point_value(std::string& out, const stored_value& value, const point_flags& flags);
std::string encode_point_value(const stored_value& value, const point_flags& flags);
result<point_value> decode_point_value(std::string_view bytes);
// Key and value of one points entry.
result<stored_point> decode_point(std::string_view key, std::string_view value);
// Adds the point to `batch` in family::points.
void put_point(write_batch& batch, const stored_point& p);

// What a window aggregates: numbers, or the state of a boolean/string metric.
enum class window_kind : uint8_t { numeric = 0, boolean = 1, text = 2 };

// One closed tumbling window [start_ms, start_ms + width_ms) of one series.
struct window_record {
  series_id series = 0;
  uint64_t width_ms = 0; // > 0
  int64_t start_ms = 0;
  window_kind kind = window_kind::numeric;
  uint64_t count = 0;        // samples in the window
  int64_t first_ts_ms = 0;   // timestamp of the first and last sample
  int64_t last_ts_ms = 0;
  // numeric windows
  double min = 0;
  double max = 0;
  double sum = 0;
  // Sum of squared deviations from the mean (Welford's M2), for the variance. Kept instead of
  // a plain sum of squares, which cancels catastrophically for large values with a small
  // spread (e.g. an energy counter at 1e9 moving by 0.01).
  double sum_sq_dev = 0;
  double first = 0;
  double last = 0;
  // boolean and text windows
  stored_value last_value; // last boolean or string; monostate for numeric windows
  uint64_t changes = 0;    // value changes within the window
  int64_t time_true_ms = 0; // booleans: time the value was true within the window (ms)

  double mean() const noexcept;     // sum / count; 0 when empty
  double variance() const noexcept; // population variance, sum_sq_dev / count
  double stddev() const noexcept;   // sqrt(variance())
};

bool same_window(const window_record& a, const window_record& b) noexcept;

std::string encode_window_value(const window_record& w);
// Fills everything but series/width/start, which live in the key.
result<window_record> decode_window_value(std::string_view bytes);
result<window_record> decode_window(std::string_view key, std::string_view value);
// Adds the window to `batch` in family::windows; errc::invalid_argument for width 0.
result<void> put_window(write_batch& batch, const window_record& w);

} // namespace floe::store
