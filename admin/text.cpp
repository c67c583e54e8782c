#include "admin/text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace floe::admin {

size_t display_width(std::string_view utf8) {
  size_t n = 0;
  for (unsigned char c : utf8)
    if ((c & 0xC0) != 0x80)
      ++n;
  return n;
}

std::string clip(std::string_view utf8, size_t max_chars) {
  size_t total = display_width(utf8);
  size_t keep = total <= max_chars ? total : (max_chars == 0 ? 0 : max_chars - 1);
  std::string out;
  size_t chars = 0;
  for (char ch : utf8) {
    auto c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) != 0x80 && chars++ == keep)
      break;
    out += (c == '\n' || c == '\t' || c == '\r') ? ' ' : ch;
  }
  if (total > max_chars && max_chars > 0)
    out += "…";
  return out;
}

std::string sparkline(const std::vector<double>& values, size_t width) {
  static const char* const blocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  if (values.empty() || width == 0)
    return {};
  std::vector<double> cells;
  if (values.size() <= width) {
    cells = values;
  } else {
    cells.reserve(width);
    for (size_t b = 0; b < width; ++b) {
      size_t begin = b * values.size() / width;
      size_t end = (b + 1) * values.size() / width;
      double sum = 0;
      size_t n = 0;
      for (size_t i = begin; i < end; ++i)
        if (!std::isnan(values[i])) {
          sum += values[i];
          ++n;
        }
      cells.push_back(n == 0 ? std::numeric_limits<double>::quiet_NaN() : sum / n);
    }
  }
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  for (double v : cells)
    if (!std::isnan(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  std::string out;
  for (double v : cells) {
    if (std::isnan(v)) {
      out += ' ';
      continue;
    }
    if (!(hi > lo) || !std::isfinite(hi - lo)) {
      out += blocks[3];
      continue;
    }
    auto level = static_cast<long>(std::floor((v - lo) / (hi - lo) * 8));
    out += blocks[std::clamp<long>(level, 0, 7)];
  }
  return out;
}

text_table::text_table(std::vector<std::string> headings, std::vector<align> aligns)
  : headings_(std::move(headings)), aligns_(std::move(aligns)) {
  aligns_.resize(headings_.size(), align::left);
}

void text_table::add(std::vector<std::string> cells) {
  cells.resize(headings_.size());
  rows_.push_back(std::move(cells));
}

std::string text_table::render() const {
  std::vector<size_t> widths(headings_.size());
  for (size_t c = 0; c < headings_.size(); ++c) {
    widths[c] = display_width(headings_[c]);
    for (auto& r : rows_)
      widths[c] = std::max(widths[c], display_width(r[c]));
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l;
    for (size_t c = 0; c < cells.size(); ++c) {
      size_t pad = widths[c] - display_width(cells[c]);
      if (c > 0)
        l += "  ";
      if (aligns_[c] == align::right)
        l += std::string(pad, ' ') + cells[c];
      else
        l += cells[c] + std::string(pad, ' ');
    }
    while (!l.empty() && l.back() == ' ')
      l.pop_back();
    out += l + "\n";
  };
  line(headings_);
  for (auto& r : rows_)
    line(r);
  return out;
}

std::string format_time(int64_t ms_utc) {
  if (ms_utc == 0)
    return "-";
  int64_t days = ms_utc >= 0 ? ms_utc / 86'400'000 : -((-ms_utc + 86'399'999) / 86'400'000);
  int64_t ms_of_day = ms_utc - days * 86'400'000;
  // civil_from_days (H. Hinnant)
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(y), m, d, static_cast<long long>(ms_of_day / 3'600'000),
                static_cast<long long>(ms_of_day / 60'000 % 60),
                static_cast<long long>(ms_of_day / 1000 % 60),
                static_cast<long long>(ms_of_day % 1000));
  return buf;
}

std::string format_duration(int64_t ms) {
  char buf[48];
  if (ms < 0)
    return "-" + format_duration(-ms);
  if (ms < 1000)
    std::snprintf(buf, sizeof buf, "%lldms", static_cast<long long>(ms));
  else if (ms < 60'000 && ms % 1000 == 0)
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(ms / 1000));
  else if (ms < 60'000)
    std::snprintf(buf, sizeof buf, "%.1fs", ms / 1000.0);
  else if (ms < 3'600'000)
    std::snprintf(buf, sizeof buf, "%lldm %02llds", static_cast<long long>(ms / 60'000),
                  static_cast<long long>(ms / 1000 % 60));
  else if (ms < 86'400'000)
    std::snprintf(buf, sizeof buf, "%lldh %02lldm", static_cast<long long>(ms / 3'600'000),
                  static_cast<long long>(ms / 60'000 % 60));
  else
    std::snprintf(buf, sizeof buf, "%lldd %02lldh", static_cast<long long>(ms / 86'400'000),
                  static_cast<long long>(ms / 3'600'000 % 24));
  return buf;
}

std::string format_number(double v) {
  char buf[64];
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string format_count(uint64_t n) {
  char buf[32];
  if (n < 10'000)
    return std::to_string(n);
  if (n < 1'000'000)
    std::snprintf(buf, sizeof buf, "%.1fk", n / 1e3);
  else if (n < 1'000'000'000)
    std::snprintf(buf, sizeof buf, "%.1fM", n / 1e6);
  else
    std::snprintf(buf, sizeof buf, "%.1fG", n / 1e9);
  return buf;
}

std::string format_quality(int32_t q) {
  switch (q) {
    case 192:
      return "good";
    case 0:
      return "bad";
    case 500:
      return "stale";
    default:
      return std::to_string(q);
  }
}

} // namespace floe::admin
