#pragma once
// Key encoding of the `points` and `windows` families. Fixed width, big-endian, so that the
// byte order of keys (RocksDB's default comparator, memcmp) is: series, then time.
//
//   point key  (14 bytes): series id (u32) | timestamp ms (i64, sign bit flipped) | seq (u16)
//   window key (20 bytes): series id (u32) | width ms (u64) | window start ms (i64, flipped)
//
// Flipping the sign bit maps int64 order onto unsigned byte order (INT64_MIN -> 0x00..,
// -1 -> 0x7F..FF, 0 -> 0x80..00), so pre-1970 timestamps sort before later ones.
// `seq` tells apart samples of one series that share a millisecond. The same (series,
// timestamp, seq) always gives the same key: rewriting a point (replays, a shard hand-over)
// overwrites it and duplicates nothing.

#include <cstdint>
#include <string>
#include <string_view>

#include "store/errc.hpp"

namespace floe::store {

// Dictionary-assigned (series_dictionary.hpp). 0 is never assigned; max_series_id + 1 is
// reserved so that "every key of series s" is always the range [prefix(s), prefix(s + 1)).
using series_id = uint32_t;
inline constexpr series_id first_series_id = 1;
inline constexpr series_id max_series_id = 0xFFFF'FFFE;

inline constexpr size_t series_prefix_size = 4;
inline constexpr size_t point_key_size = 14;
inline constexpr size_t window_key_size = 20;

struct point_key_parts {
  series_id series = 0;
  int64_t timestamp_ms = 0;
  uint16_t seq = 0;
};

struct window_key_parts {
  series_id series = 0;
  uint64_t width_ms = 0;
  int64_t start_ms = 0;
};

std::string point_key(series_id series, int64_t timestamp_ms, uint16_t seq);
void append_point_key(std::string& out, series_id series, int64_t timestamp_ms, uint16_t seq);
// errc::corruption unless `key` is exactly a point key.
result<point_key_parts> decode_point_key(std::string_view key);

std::string window_key(series_id series, uint64_t width_ms, int64_t start_ms);
result<window_key_parts> decode_window_key(std::string_view key);

// The 4-byte prefix shared by every key of `series` in both families.
std::string series_prefix(series_id series);
// First 4 bytes of a points/windows key as a series id; errc::corruption if shorter.
result<series_id> series_of_key(std::string_view key);

// Range bounds for scan_range / retention: [begin, end) in the same family.
// Points of `series` with from_ms <= timestamp < to_ms (every seq).
std::string point_range_begin(series_id series, int64_t from_ms);
std::string point_range_end(series_id series, int64_t to_ms);
// Every key of `series` (either family): [series_prefix(s), series_end(s)).
std::string series_end(series_id series);
// Windows of one (series, width) with from_ms <= start < to_ms.
std::string window_range_begin(series_id series, uint64_t width_ms, int64_t from_ms);
std::string window_range_end(series_id series, uint64_t width_ms, int64_t to_ms);
// The smallest key greater than `key`: resumes a scan after the last key seen.
std::string key_after(std::string_view key);

// Big-endian primitives, shared with values.cpp and series_dictionary.cpp.
void append_be32(std::string& out, uint32_t v);
void append_be64(std::string& out, uint64_t v);
uint32_t read_be32(const char* p) noexcept;
uint64_t read_be64(const char* p) noexcept;
// Sign-flip so that signed order becomes unsigned byte order.
constexpr uint64_t order_preserving(int64_t v) noexcept {
  return static_cast<uint64_t>(v) ^ 0x8000'0000'0000'0000ULL;
}
constexpr int64_t from_order_preserving(uint64_t v) noexcept {
  return static_cast<int64_t>(v ^ 0x8000'0000'0000'0000ULL);
}

} // namespace floe::store
