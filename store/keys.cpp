#include "store/keys.hpp"

#include <limits>

namespace floe::store {

void append_be32(std::string& out, uint32_t v) {
  char b[4];
  for (int i = 3; i >= 0; --i) {
    b[i] = static_cast<char>(v & 0xFF);
    v >>= 8;
  }
  out.append(b, 4);
}

void append_be64(std::string& out, uint64_t v) {
  char b[8];
  for (int i = 7; i >= 0; --i) {
    b[i] = static_cast<char>(v & 0xFF);
    v >>= 8;
  }
  out.append(b, 8);
}

uint32_t read_be32(const char* p) noexcept {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

uint64_t read_be64(const char* p) noexcept {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

void append_point_key(std::string& out, series_id series, int64_t timestamp_ms, uint16_t seq) {
  append_be32(out, series);
  append_be64(out, order_preserving(timestamp_ms));
  out.push_back(static_cast<char>(seq >> 8));
  out.push_back(static_cast<char>(seq & 0xFF));
}

std::string point_key(series_id series, int64_t timestamp_ms, uint16_t seq) {
  std::string out;
  out.reserve(point_key_size);
  append_point_key(out, series, timestamp_ms, seq);
  return out;
}

result<point_key_parts> decode_point_key(std::string_view key) {
  if (key.size() != point_key_size)
    return fail(errc::corruption, "point key of " + std::to_string(key.size())
                                    + " bytes, expected " + std::to_string(point_key_size));
  point_key_parts parts;
  parts.series = read_be32(key.data());
  parts.timestamp_ms = from_order_preserving(read_be64(key.data() + 4));
  parts.seq = static_cast<uint16_t>((static_cast<uint8_t>(key[12]) << 8)
                                    | static_cast<uint8_t>(key[13]));
  return parts;
}

std::string window_key(series_id series, uint64_t width_ms, int64_t start_ms) {
  std::string out;
  out.reserve(window_key_size);
  append_be32(out, series);
  append_be64(out, width_ms);
  append_be64(out, order_preserving(start_ms));
  return out;
}

result<window_key_parts> decode_window_key(std::string_view key) {
  if (key.size() != window_key_size)
    return fail(errc::corruption, "window key of " + std::to_string(key.size())
                                    + " bytes, expected " + std::to_string(window_key_size));
  window_key_parts parts;
  parts.series = read_be32(key.data());
  parts.width_ms = read_be64(key.data() + 4);
  parts.start_ms = from_order_preserving(read_be64(key.data() + 12));
  return parts;
}

std::string series_prefix(series_id series) {
  std::string out;
  append_be32(out, series);
  return out;
}

result<series_id> series_of_key(std::string_view key) {
  if (key.size() < series_prefix_size)
    return fail(errc::corruption, "key of " + std::to_string(key.size())
                                    + " bytes is shorter than a series prefix");
  return read_be32(key.data());
}

std::string point_range_begin(series_id series, int64_t from_ms) {
  return point_key(series, from_ms, 0);
}

std::string point_range_end(series_id series, int64_t to_ms) {
  // Seq 0 at to_ms is the first key not < to_ms.
  return point_key(series, to_ms, 0);
}

std::string series_end(series_id series) {
  if (series == std::numeric_limits<series_id>::max()) {
    // The reserved id has no successor prefix; 21 x 0xFF is above every key of at most 20 bytes.
    return std::string(window_key_size + 1, '\xFF');
  }
  return series_prefix(series + 1);
}

std::string window_range_begin(series_id series, uint64_t width_ms, int64_t from_ms) {
  return window_key(series, width_ms, from_ms);
}

std::string window_range_end(series_id series, uint64_t width_ms, int64_t to_ms) {
  return window_key(series, width_ms, to_ms);
}

std::string key_after(std::string_view key) {
  std::string out(key);
  out.push_back('\0');
  return out;
}

} // namespace floe::store
