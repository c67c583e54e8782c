#pragma once
// Text output helpers of floe-admin, CAF-free: aligned tables, sparklines, times, durations and
// numbers as operators read them. Widths count UTF-8 code points (no wide-character handling).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace floe::admin {

// Code points of a UTF-8 string (continuation bytes do not count).
size_t display_width(std::string_view utf8);
// At most `max_chars` code points; longer text ends in "…". Newlines and tabs become blanks.
std::string clip(std::string_view utf8, size_t max_chars);

// A sparkline of `values` in the eight block characters ▁▂▃▄▅▆▇█: the minimum maps to ▁, the
// maximum to █. More values than `width` are averaged in `width` consecutive buckets (by index);
// fewer give one character each. NaN values render as a blank; a constant series is all ▄. Empty
// input (or width 0) gives "".
std::string sparkline(const std::vector<double>& values, size_t width);

class text_table {
public:
  enum class align : uint8_t { left, right };

  // Columns with their headings; `aligns` may be shorter (missing = left).
  explicit text_table(std::vector<std::string> headings, std::vector<align> aligns = {});

  // A row; missing cells are blank, extra cells are ignored.
  void add(std::vector<std::string> cells);
  size_t rows() const noexcept { return rows_.size(); }

  // Headings and rows, columns separated by two blanks, no trailing blanks, '\n' after each line.
  std::string render() const;

private:
  std::vector<std::string> headings_;
  std::vector<align> aligns_;
  std::vector<std::vector<std::string>> rows_;
};

// "2026-11-03T10:15:00.123Z" (UTC, milliseconds); 0 gives "-".
std::string format_time(int64_t ms_utc);
// "850ms", "12.3s", "4m 05s", "3h 20m", "2d 04h".
std::string format_duration(int64_t ms);
// Numbers for tables: integers without a fraction, otherwise up to 6 significant digits.
std::string format_number(double v);
// "12" or "1.2k" "3.4M" "5.6G" for counters in narrow columns.
std::string format_count(uint64_t n);
// Sparkplug quality codes: 192 "good", 0 "bad", 500 "stale", else the number.
std::string format_quality(int32_t q);

} // namespace floe::admin
